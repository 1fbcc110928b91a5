"""The API test harness: a real app over a temporary data folder, workers in threads with the
fake engine. Imported by tests that need a differently configured service than the fixtures'."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fake_engine
from fastapi.testclient import TestClient

from atlasflow.api.app import create_app
from atlasflow.auth.clients import IssuedCredentials, register_client
from atlasflow.config import Settings
from atlasflow.runtime.embedded import ThreadRuntime


def make_settings(tmp_path: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "engine": "fake_engine:process_document",
        "egress_allow": "127.0.0.0/8",
        "poll_interval": 0.05,
        "sweep_interval": 0.5,
        "callback_schedule": "0.2,0.5,1",
        "rate_limit_per_second": 1000,
        "rate_limit_burst": 1000,
        "download_timeout": 3.0,
        "log_json": False,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Api:
    """A running service as a lender sees it, plus handles on its internals for setup."""

    client: TestClient
    settings: Settings
    services: Any
    runtime: ThreadRuntime | None

    def new_client(self, name: str = "lender") -> IssuedCredentials:
        return register_client(self.services.db, name=name)

    def token(self, creds: IssuedCredentials) -> str:
        r = self.client.post(
            "/v3/verification/authtoken",
            headers={"Client-Id": creds.client_id, "Client-Secret": creds.client_secret},
        )
        assert r.status_code == 201, r.text
        return r.json()["access_token"]

    def headers(self, creds: IssuedCredentials) -> dict[str, str]:
        return {"Token": self.token(creds)}


def run_api(tmp_path: Any, *, workers: bool, **overrides: Any) -> Iterator[Api]:
    settings = make_settings(tmp_path, **overrides)
    runtime = ThreadRuntime(settings, engine=fake_engine.process_document, workers=2) if workers else None
    app = create_app(settings, notifier=runtime.notifier if runtime else None)
    if runtime is not None:
        runtime.start()
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Api(client, settings, app.state.services, runtime)
    finally:
        fake_engine.GATE.set()
        if runtime is not None:
            runtime.stop()
