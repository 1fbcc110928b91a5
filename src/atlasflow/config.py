"""Service settings: read from the environment (prefix ATLAS_) once, then passed in explicitly.

Core code never reads the environment itself; `Settings()` is built by the CLI (or a test) and
handed to `create_app`, the workers and the stage functions.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ENGINE = "atlasflow.pipeline.engine:process_document"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATLAS_", extra="ignore", frozen=True)

    # Storage: SQLite (WAL) + a blob folder under data_dir unless database_url names another database.
    data_dir: Path = Path("./data")
    database_url: str | None = None

    # The document engine, a dotted path `module:function` (tests inject a fast fake).
    engine: str = DEFAULT_ENGINE

    # Egress: CIDRs that outbound requests may reach although private/loopback ("127.0.0.0/8,::1/128").
    egress_allow: str = ""

    # Auth. jwt_keys: "kid:secret,kid2:secret2" (first signs; all verify). Empty: a key file in data_dir.
    jwt_keys: str = ""
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 30 * 24 * 3600

    # Per-client token bucket: sustained requests per second and burst size (0 disables).
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 100

    # Request limits (SPEC §1).
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 100 * 1024 * 1024  # multipart /upload carries the files themselves
    max_files_per_call: int = 25
    # Abuse limits: documents in one flow over all its batches, and flows of one client not yet
    # completed (a runaway integration cannot fill the queue for everyone else). 0 disables.
    max_files_per_flow: int = 200
    max_open_flows_per_client: int = 5000

    # Downloads and callbacks (SPEC §5).
    download_max_bytes: int = 20 * 1024 * 1024
    download_timeout: float = 30.0
    callback_timeout: float = 15.0
    callback_schedule: str = ""  # "5,300,1800,..." seconds; empty = the SPEC default schedule

    # Runtime.
    workers: int | None = None  # document worker processes; None = CPU count
    io_threads: int = 8  # concurrent downloads + deliveries in the I/O worker
    poll_interval: float = 0.5
    sweep_interval: float = 5.0
    lease_seconds: float = 300.0
    max_document_attempts: int = 3
    idempotency_ttl: int = 24 * 3600
    # Document files are deleted this long after their result is stored; results are kept.
    blob_retention_days: float = 30.0
    # ATLAS_RETENTION_DAYS, when set, is the retention period that counts (it wins over
    # blob_retention_days); with retention_delete_results the whole flow (results, callbacks) goes too.
    retention_days: float | None = None
    retention_delete_results: bool = False

    # Scale-out runtime. broker_url unset: embedded workers; "redis://host:port/0": Celery workers
    # (`atlas worker`) take the work and the API only records it. blob_url: "file://<dir>" (default:
    # data_dir/blobs) or "s3://bucket/prefix" with the usual AWS_* settings; s3_endpoint_url points
    # at an S3-compatible store (MinIO and the like).
    broker_url: str | None = None
    blob_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    # The periodic sweep re-sends tasks for work left waiting this long while its queue is empty
    # (a message lost with a broker restart); duplicates are harmless, a claimed row is skipped.
    redispatch_after: float = 30.0

    log_level: str = "INFO"
    log_json: bool = True

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'atlas.db').resolve()}"

    @property
    def effective_retention_days(self) -> float:
        return self.retention_days if self.retention_days is not None else self.blob_retention_days

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers is not None else max(1, os.cpu_count() or 1)
