"""The scale-out topology as the tests start it: `atlas serve --no-workers`, N `atlas worker`
processes (Celery, prefork) and one `atlas beat`, over PostgreSQL, Redis and moto's S3 server
started by `.ci/services.sh` (their URLs come from ATLAS_TEST_POSTGRES / _REDIS / _S3)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from atlas_testkit import LenderClient, free_port, wait_until

_LAUNCH = "import sys; from atlasflow.cli import main; sys.argv[0] = 'atlas'; main()"
_HERE = Path(__file__).resolve().parent



def service_urls() -> dict[str, str]:
    missing = [
        k for k in ("ATLAS_TEST_POSTGRES", "ATLAS_TEST_REDIS", "ATLAS_TEST_S3") if not os.environ.get(k)
    ]
    if missing:
        raise RuntimeError(f"{missing} not set: run the scale group with `make test-scale`")
    return {k: os.environ[k] for k in ("ATLAS_TEST_POSTGRES", "ATLAS_TEST_REDIS", "ATLAS_TEST_S3")}


def admin_sql(sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["ATLAS_TEST_POSTGRES"], isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


class Cluster:
    """One isolated deployment: its own database, Redis keyspace (flushed), bucket and data dir."""

    def __init__(self, root: Path, **env: str) -> None:
        urls = service_urls()
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_name = f"atlas_s_{secrets.token_hex(5)}"
        admin_sql(f'CREATE DATABASE "{self.db_name}"')
        self.database_url = urls["ATLAS_TEST_POSTGRES"].rsplit("/", 1)[0] + "/" + self.db_name
        self.redis_url = urls["ATLAS_TEST_REDIS"] + "/0"
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        self.bucket = f"atlas-{secrets.token_hex(5)}"
        self.s3_endpoint = urls["ATLAS_TEST_S3"]
        self.engine_log = root / "engine.log"
        self.port = free_port()
        self.env = {
            **os.environ,
            "ATLAS_DATA_DIR": str(root / "data"),
            "ATLAS_DATABASE_URL": self.database_url,
            "ATLAS_BROKER_URL": self.redis_url,
            "ATLAS_BLOB_URL": f"s3://{self.bucket}/docs",
            "ATLAS_S3_ENDPOINT_URL": self.s3_endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "ATLAS_ENGINE": "slow_engine:process_document",
            "ATLAS_TEST_ENGINE_LOG": str(self.engine_log),
            "PYTHONPATH": os.pathsep.join([str(_HERE), str(_HERE.parent / "api")]),
            "ATLAS_EGRESS_ALLOW": "127.0.0.0/8",
            "ATLAS_CALLBACK_SCHEDULE": "0.5,1,2,2,2",
            "ATLAS_SWEEP_INTERVAL": "1",
            "ATLAS_REDISPATCH_AFTER": "2",
            "ATLAS_LEASE_SECONDS": "15",
            "ATLAS_JWT_KEYS": "k1:" + secrets.token_hex(32),
            "ATLAS_LOG_LEVEL": "INFO",
            **env,
        }
        self.env.pop("ATLAS_TEST_ON_POSTGRES", None)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.s3().create_bucket(Bucket=self.bucket)

    def s3(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", _LAUNCH, *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, *args],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        self.processes[name] = process
        return process

    def start_api(self) -> Cluster:
        self.cli("migrate")
        self._start("api", "serve", "--no-workers", "--port", str(self.port))

        def ready() -> bool:
            assert self.processes["api"].poll() is None, self.log("api")
            try:
                return httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout=60, interval=0.2, what="the API to be ready")
        return self

    def start_worker(
        self, name: str, *, concurrency: int = 1, queues: str = "documents,flows,callbacks"
    ) -> None:
        self._start(name, "worker", "--concurrency", str(concurrency), "--queues", queues)

    def start_beat(self) -> None:
        self._start("beat", "beat")

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        self.processes.clear()
        admin_sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def log(self, name: str, n: int = 4000) -> str:
        try:
            return (self.root / f"{name}.log").read_bytes()[-n:].decode(errors="replace")
        except FileNotFoundError:
            return ""

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name, 2500)}" for name in sorted(self.processes))

    def engine_calls(self) -> list[tuple[int, str]]:
        if not self.engine_log.exists():
            return []
        rows = []
        for line in self.engine_log.read_text().splitlines():
            pid, _, name = line.partition(" ")
            rows.append((int(pid), name))
        return rows

    def query(self, sql: str, **params: Any) -> list[Any]:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params).all())
        finally:
            engine.dispose()


class Lender(LenderClient):
    """A lender's HTTP client against the cluster's API."""

    def __init__(self, cluster: Cluster, creds: dict[str, str]) -> None:
        super().__init__(cluster.base_url, creds, channel="scale")

    def upload(self, flow_uuid: str, files: dict[str, bytes]) -> list[dict[str, str]]:
        r = self.call(
            "POST",
            "/v3/verification/upload",
            data={"flow_uuid": flow_uuid, "document_ids": json.dumps(list(files))},
            files=[("files", (f"{doc_id}.json", body, "application/json")) for doc_id, body in files.items()],
        )
        assert r.status_code == 201, r.text
        return r.json()

    def status(self, flow_uuid: str) -> httpx.Response:
        return self.status_response(flow_uuid)

    def wait_final(self, flow_uuid: str, timeout: float = 120) -> dict[str, str]:
        def final() -> Any:
            r = self.status(flow_uuid)
            if r.status_code != 200:
                return None
            body = r.json()
            return body if body["master_status"] in ("SUCCESS", "FAILED") else None

        return wait_until(final, timeout=timeout, interval=0.25, what=f"flow {flow_uuid} to finish")


def invoice(name: str, **extra: Any) -> bytes:
    """A fake-engine document (see tests/api/fake_engine.py) with optional timing keys."""
    return json.dumps({"type": "INVOICE", "fields": {"customer_name": name}, **extra}).encode()
