"""The end-to-end harness: the real `atlas serve` in a subprocess (killable as a whole) and a
lender's HTTP client against it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from atlas_testkit import LenderClient, Receiver, free_port, wait_until

_LAUNCH = "import sys; from atlasflow.cli import main; sys.argv[0] = 'atlas'; main()"



class AtlasServer:
    """`atlas serve` over a data folder, as an operator runs it; killable as a whole."""

    def __init__(self, data_dir: Path, *, workers: int = 2, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.port = free_port()
        self.env = {
            **os.environ,
            "ATLAS_DATA_DIR": str(data_dir),
            "ATLAS_EGRESS_ALLOW": "127.0.0.0/8",
            "ATLAS_CALLBACK_SCHEDULE": "0.2,0.5,1",
            "ATLAS_POLL_INTERVAL": "0.2",
            "ATLAS_SWEEP_INTERVAL": "1",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / "serve.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", _LAUNCH, *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    def new_client(self, name: str) -> dict[str, str]:
        return json.loads(self.cli("client", "create", "--name", name, "--json"))

    def start(self) -> AtlasServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _LAUNCH,
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: kill -9 reaches every worker
        )
        log.close()

        def ready() -> bool:
            assert self.process is not None and self.process.poll() is None, self.log_tail()
            try:
                return httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout=60, interval=0.2, what="atlas serve to be ready")
        return self

    def kill_all(self) -> None:
        """kill -9 the server and every worker, mid-whatever."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        # Workers are in the same group; make sure none survives before a restart.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode(errors="replace")
        except FileNotFoundError:
            return ""


class Lender(LenderClient):
    """A lender's HTTP client against the server (base URL swapped in, nothing else changed)."""

    def __init__(self, server: AtlasServer, creds: dict[str, str]) -> None:
        self.server = server
        super().__init__(server.base_url, creds, channel="e2e")

    def init_flow(self, receiver: Receiver, application_id: str = "LOAN-E2E-1") -> str:
        return super().init_flow(receiver, application_id)

    def upload(self, flow_uuid: str, urls: dict[str, str]) -> list[dict[str, str]]:
        return self.multiupload(flow_uuid, urls)

    def status(self, flow_uuid: str) -> dict[str, str]:
        r = self.status_response(flow_uuid)
        assert r.status_code == 200, r.text
        return r.json()

    def wait_final(self, flow_uuid: str, timeout: float = 120) -> dict[str, str]:
        return wait_until(
            lambda: (s := self.status(flow_uuid))["master_status"] in ("SUCCESS", "FAILED") and s,
            timeout=timeout,
            interval=0.2,
            what=f"flow {flow_uuid} to finish",
        )
