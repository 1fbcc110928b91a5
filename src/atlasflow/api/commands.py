"""CLI commands of the service: serve, worker, migrate, client, key, verify, demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from atlasflow.config import Settings

console = Console()
err_console = Console(stderr=True)


def _settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _database(settings: Settings):  # noqa: ANN202 - keeps heavy imports out of `atlas --help`
    from atlasflow.storage.db import Database, migrate

    db = Database(settings.resolved_database_url)
    migrate(db)
    return db


def run_server(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int | None,
    with_workers: bool,
    banner: str = "",
) -> None:
    """Run uvicorn (this process) with the embedded runtime's workers beside it."""
    import uvicorn

    from atlasflow.api.app import create_app
    from atlasflow.logging import configure_logging, get_logger
    from atlasflow.runtime.embedded import ProcessRuntime

    configure_logging(level=settings.log_level, json=settings.log_json, process="api")
    log = get_logger("atlasflow.serve")
    runtime = ProcessRuntime(settings, workers=workers) if with_workers else None
    if runtime is not None:
        runtime.start()
    try:
        app = create_app(settings, notifier=runtime.notifier if runtime else None)
        config = uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None, lifespan="on")
        server = uvicorn.Server(config)
        if banner:
            err_console.print(banner)
        log.info(
            "serving",
            host=host,
            port=port,
            data_dir=str(settings.data_dir),
            workers=runtime.workers if runtime else 0,
        )
        server.run()
    finally:
        if runtime is not None:
            runtime.stop()


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
        workers: Annotated[
            int | None, typer.Option(help="Document worker processes (default: CPU count)")
        ] = None,
        no_workers: Annotated[
            bool, typer.Option("--no-workers", help="API only; run `atlas worker` elsewhere")
        ] = False,
    ) -> None:
        """Run the API and its workers over ATLAS_DATA_DIR (SQLite + blobs)."""
        settings = _settings()
        run_server(settings, host=host, port=port, workers=workers, with_workers=not no_workers)

    @app.command()
    def worker(
        workers: Annotated[
            int | None, typer.Option(help="Document worker processes (default: CPU count)")
        ] = None,
    ) -> None:
        """Run only the workers (fetch, process, deliver, sweep) against the configured database."""
        import signal
        import threading

        from atlasflow.logging import configure_logging
        from atlasflow.runtime.embedded import ProcessRuntime

        settings = _settings()
        configure_logging(level=settings.log_level, json=settings.log_json, process="supervisor")
        runtime = ProcessRuntime(settings, workers=workers)
        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        signal.signal(signal.SIGINT, lambda *_: done.set())
        runtime.start()
        try:
            done.wait()
        finally:
            runtime.stop()

    @app.command()
    def migrate() -> None:
        """Bring the database schema up to date."""
        _database(_settings())
        console.print("schema is up to date")

    client_app = typer.Typer(help="API clients: create, list, disable.", no_args_is_help=True)
    app.add_typer(client_app, name="client")

    @client_app.command("create")
    def client_create(
        name: Annotated[str, typer.Option("--name", help="A label for this client")],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    ) -> None:
        """Create a client and print its credentials (shown once, never again)."""
        from atlasflow.auth.clients import register_client

        creds = register_client(_database(_settings()), name=name)
        out = {
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "webhook_secret": creds.webhook_secret,
        }
        if as_json:
            typer.echo(json.dumps(out))
            return
        table = Table(title=f"client {name!r} — store these now; the secret is not shown again")
        table.add_column("field")
        table.add_column("value")
        for key, value in out.items():
            table.add_row(key, value)
        console.print(table)

    @client_app.command("list")
    def client_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
        """List clients (never their secrets)."""
        from atlasflow.storage import repository as repo

        with _database(_settings()).read() as conn:
            clients = repo.list_clients(conn)
        rows = [
            {
                "client_id": c.client_id,
                "name": c.name,
                "status": c.status,
                "created_at": c.created_at.isoformat(),
            }
            for c in clients
        ]
        if as_json:
            typer.echo(json.dumps(rows))
            return
        table = Table(title="clients")
        for column in ("client_id", "name", "status", "created_at"):
            table.add_column(column)
        for row in rows:
            table.add_row(*row.values())
        console.print(table)

    @client_app.command("disable")
    def client_disable(client_id: Annotated[str, typer.Argument(help="The client_id to disable")]) -> None:
        """Disable a client: its tokens stop working at once."""
        from atlasflow.storage import repository as repo
        from atlasflow.storage.tables import ClientStatus

        with _database(_settings()).write() as conn:
            found = repo.set_client_status(
                conn, client_id=client_id, status=ClientStatus.DISABLED, now=repo.utcnow()
            )
        if not found:
            err_console.print(f"no client {client_id}")
            raise typer.Exit(1)
        console.print(f"client {client_id} disabled")

    key_app = typer.Typer(help="JWT signing keys in the data folder's key file.", no_args_is_help=True)
    app.add_typer(key_app, name="key")

    def _key_file() -> Path:
        from atlasflow.auth.keys import KEY_FILE_NAME

        settings = _settings()
        if settings.jwt_keys:
            err_console.print("ATLAS_JWT_KEYS is set: keys come from the environment, not the key file")
            raise typer.Exit(1)
        return settings.data_dir / KEY_FILE_NAME

    @key_app.command("list")
    def key_list() -> None:
        """Show key ids (never the keys); the active one signs new tokens."""
        from atlasflow.auth.keys import ensure_key_file

        ring = ensure_key_file(_key_file())
        for kid in ring.keys:
            console.print(f"{kid}{'  (active)' if kid == ring.active_kid else ''}")

    @key_app.command("rotate")
    def key_rotate() -> None:
        """Add a new signing key and make it active; old keys still verify until removed."""
        from atlasflow.auth.keys import rotate_key_file

        console.print(f"new active key: {rotate_key_file(_key_file())}")

    @key_app.command("remove")
    def key_remove(kid: Annotated[str, typer.Argument(help="Key id to remove")]) -> None:
        """Remove a retired key: tokens it signed stop verifying."""
        from atlasflow.auth.keys import KeyConfigError, remove_key

        try:
            remove_key(_key_file(), kid)
        except KeyConfigError as exc:
            err_console.print(str(exc))
            raise typer.Exit(1) from exc
        console.print(f"removed {kid}")
