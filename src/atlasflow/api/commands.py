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
    import signal

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
        app = create_app(settings, notifier=runtime.notifier if runtime else _broker_notifier(settings))
        config = uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None, lifespan="on")
        server = uvicorn.Server(config)
        # uvicorn re-raises the signal that stopped it once it has shut down; with the default
        # handler that would kill this process before the workers are stopped below.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: None)
        if banner:
            # Plain print: the walk-through is for copy-paste, so no wrapping and no markup.
            print(banner, flush=True)
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


def _broker_notifier(settings: Settings):  # noqa: ANN202 - celery is imported only when configured
    """With ATLAS_BROKER_URL set, recorded work is sent to the Celery workers as tasks."""
    if not settings.broker_url:
        return None
    from atlasflow.runtime.celery_app import notifier_for

    return notifier_for(settings)


def verify_files(
    settings: Settings, paths: list[Path], *, product_type: str = "PROD_CDL", progress: bool = True
) -> dict:
    """Run one whole flow in this process over local files and return its CallbackData.

    The files go through the same stage functions as the service (record, process, finalize)
    over a throw-away data folder, so the answer is exactly what the API would send.
    """
    import tempfile
    import uuid

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from atlasflow.runtime.flow import StageContext, new_batch_id, process_document, warm_up_engine
    from atlasflow.storage import repository as repo
    from atlasflow.storage.blobs import BlobStore
    from atlasflow.storage.db import Database, migrate

    with tempfile.TemporaryDirectory(prefix="atlas-verify-") as tmp:
        local = settings.model_copy(update={"data_dir": Path(tmp), "database_url": None})
        db = Database(local.resolved_database_url)
        migrate(db)
        ctx = StageContext.build(local, db=db)
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err_console, transient=True, disable=not progress) as bar:
            loading = bar.add_task("loading models", total=None)
            engine = warm_up_engine(local.engine)
            bar.remove_task(loading)
            flow_uuid = str(uuid.uuid4())
            now = repo.utcnow()
            docs = []
            with db.write() as conn:
                repo.insert_client(
                    conn, client_id="local", name="local", secret_hash="-", webhook_secret="-", now=now
                )
                repo.insert_flow(
                    conn,
                    flow_uuid=flow_uuid,
                    client_id="local",
                    application_id="local",
                    product_type=product_type,
                    auth_url="",
                    callback_url="",
                    flow_params={},
                    now=now,
                )
            for path in paths:
                file_uuid = str(uuid.uuid4())
                key = BlobStore.key_for(flow_uuid=flow_uuid, file_uuid=file_uuid)
                data = path.read_bytes()
                ctx.blobs.put(key, data)
                docs.append(
                    repo.NewDocument(
                        file_uuid=file_uuid,
                        document_id=path.name,
                        filename=path.name,
                        blob_key=key,
                        size_bytes=len(data),
                    )
                )
            with db.write() as conn:
                repo.add_batch(
                    conn, flow_uuid=flow_uuid, batch_id=new_batch_id(now), source="local", docs=docs, now=now
                )
            task = bar.add_task("reading documents", total=len(docs))
            for doc in docs:
                bar.update(task, description=doc.document_id)
                process_document(ctx, engine=engine, owner="verify", file_uuid=doc.file_uuid)
                bar.advance(task)
        with db.read() as conn:
            delivery = repo.latest_delivery(conn, flow_uuid=flow_uuid)
        db.dispose()
    if delivery is None:
        raise RuntimeError("the flow did not complete")
    return json.loads(delivery.body)


def print_callback_data(data: dict) -> None:
    """ocr_data and cross_checks as Rich tables."""
    for item in data["ocr_data"]:
        fields = item["data"]
        title = f"{item['document_id']}: {fields.get('document_type', 'UNRECOGNISED')}"
        if item["error_code"]:
            title += f"  [{item['error_code']}: {item['error_reason']}]"
        table = Table(title=title, title_justify="left")
        table.add_column("field")
        table.add_column("value")
        table.add_column("confidence", justify="right")
        for name, value in fields.items():
            if name == "document_type" or not isinstance(value, dict):
                continue
            shown = value.get("value")
            shown = ", ".join(map(str, shown)) if isinstance(shown, list) else str(shown)
            table.add_row(name, shown, f"{float(value.get('confidence_score', 0.0)):.2f}")
        console.print(table)
    if data["cross_checks"]:
        table = Table(title="cross-checks", title_justify="left")
        for column in ("check", "source value", "target value", "score"):
            table.add_column(column, justify="right" if column == "score" else "left")
        for check in data["cross_checks"]:
            score = check["similarity_score"]
            colour = "green" if score >= 90 else ("yellow" if score >= 70 else "red")
            table.add_row(
                check["name"], str(check["source_value"]), str(check["target_value"]), f"[{colour}]{score}[/]"
            )
        console.print(table)


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
        if settings.broker_url and not no_workers:
            # Scale-out mode: Celery workers (`atlas worker`) take the work; this process is the API.
            err_console.print(
                "ATLAS_BROKER_URL is set: serving the API only; run `atlas worker` for the work"
            )
            no_workers = True
        run_server(settings, host=host, port=port, workers=workers, with_workers=not no_workers)

    @app.command()
    def worker(
        workers: Annotated[
            int | None, typer.Option(help="Document worker processes (default: CPU count)")
        ] = None,
        concurrency: Annotated[
            int | None, typer.Option(help="Celery pool processes (ATLAS_BROKER_URL set; default: CPU count)")
        ] = None,
        queues: Annotated[
            str, typer.Option(help="Celery queues to consume: documents (OCR), flows, callbacks")
        ] = "documents,flows,callbacks",
        beat: Annotated[
            bool, typer.Option("--beat", help="Also run the periodic sweep (exactly one process should)")
        ] = False,
    ) -> None:
        """Run only the workers (fetch, process, deliver, sweep) against the configured database.

        With ATLAS_BROKER_URL set this is a Celery worker over the named queues."""
        import signal
        import threading

        from atlasflow.logging import configure_logging
        from atlasflow.runtime.embedded import ProcessRuntime

        settings = _settings()
        if settings.broker_url:
            from atlasflow.runtime.celery_app import run_worker

            _database(settings).dispose()  # the schema is current before any task runs
            configure_logging(level=settings.log_level, json=settings.log_json, process="celery")
            run_worker(
                settings,
                concurrency=concurrency or workers,
                queues=[q.strip() for q in queues.split(",") if q.strip()],
                beat=beat,
            )
            return
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

    @app.command("beat")
    def beat_command() -> None:
        """Run the periodic sweep for Celery workers (ATLAS_BROKER_URL set); run exactly one."""
        settings = _settings()
        if not settings.broker_url:
            err_console.print("ATLAS_BROKER_URL is not set: the embedded runtime sweeps by itself")
            raise typer.Exit(2)
        from atlasflow.logging import configure_logging
        from atlasflow.runtime.celery_app import run_beat

        configure_logging(level=settings.log_level, json=settings.log_json, process="beat")
        run_beat(settings)

    @app.command()
    def migrate() -> None:
        """Bring the database schema up to date."""
        _database(_settings())
        console.print("schema is up to date")

    @app.command()
    def verify(
        files: Annotated[
            list[Path], typer.Argument(help="Document files (images or PDFs)", exists=True, dir_okay=False)
        ],
        as_json: Annotated[bool, typer.Option("--json", help="Print the CallbackData JSON")] = False,
        product_type: Annotated[str, typer.Option(help="Product whose cross-checks run")] = "PROD_CDL",
    ) -> None:
        """Run a whole flow in-process on local files: ocr_data and cross-checks, no HTTP needed."""
        from atlasflow.logging import configure_logging
        from atlasflow.products import product_for

        if product_for(product_type) is None:
            err_console.print(f"unknown product_type {product_type!r}")
            raise typer.Exit(2)
        settings = _settings()
        configure_logging(level="WARNING", json=True, process="verify")
        data = verify_files(settings, list(files), product_type=product_type, progress=not as_json)
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            print_callback_data(data)

    @app.command()
    def demo(
        host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="API port; the sample file server uses the next one")] = 8000,
        workers: Annotated[
            int | None, typer.Option(help="Document worker processes (default: CPU count)")
        ] = None,
    ) -> None:
        """Try it: a demo client, sample documents, a curl walk-through, then serve."""
        # The samples and the stand-in lender live on this machine: allow loopback for the demo only.
        import os

        from atlasflow.api.demo import SAMPLES_DIR, DemoSite, ensure_demo_client, ensure_samples, walkthrough

        base = _settings()
        allow = ",".join(filter(None, [base.egress_allow, "127.0.0.0/8"]))
        # Quieter logs unless asked: the walk-through and the callback lines are what matter here.
        level = os.environ.get("ATLAS_LOG_LEVEL", "WARNING")
        settings = base.model_copy(update={"egress_allow": allow, "log_level": level})
        db = _database(settings)
        creds = ensure_demo_client(db, settings.data_dir)
        db.dispose()
        with console.status("generating sample documents (first start only)"):
            samples = ensure_samples(settings.data_dir / SAMPLES_DIR)
        site = DemoSite(folder=settings.data_dir / SAMPLES_DIR, port=port + 1, console=err_console).start()
        banner = walkthrough(api=f"http://{host}:{port}", site=site, creds=creds, samples=samples)
        run_server(settings, host=host, port=port, workers=workers, with_workers=True, banner=banner)

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
