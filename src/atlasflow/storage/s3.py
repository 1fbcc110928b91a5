"""The S3 blob store (scale-out runtime) and the factory that picks a blob store from settings.

`ATLAS_BLOB_URL=s3://bucket/prefix` stores each document under `<prefix>/<flow_uuid>/<file_uuid>`
in an S3-compatible bucket; credentials and region come from the usual AWS settings
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION or ATLAS_S3_REGION) and
`ATLAS_S3_ENDPOINT_URL` points at a MinIO-style store. A PUT is atomic in S3 (an object is
either whole or absent), so the folder store's write-then-rename has no counterpart here.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from atlasflow.config import Settings
from atlasflow.errors import AtlasError
from atlasflow.storage.blobs import _KEY, BlobNotFoundError, BlobStore


class BlobStoreConfigError(AtlasError):
    """ATLAS_BLOB_URL names a scheme or a bucket that cannot be used."""


class Blobs(Protocol):
    """What the stages and the API need from a blob store (the folder store and S3 both fit)."""

    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def delete_flow(self, flow_uuid: str) -> None: ...


class S3BlobStore:
    """Document bytes in an S3 bucket; one boto3 client per process (boto3 clients are thread-safe)."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._endpoint_url = endpoint_url
        self._region = region
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        # Created on first use, not at import or construction: a Celery parent process forks its
        # pool after building the app, and a boto3 client must not cross a fork.
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    from botocore.config import Config

                    self._client = boto3.session.Session().client(
                        "s3",
                        endpoint_url=self._endpoint_url,
                        region_name=self._region,
                        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
                    )
        return self._client

    @staticmethod
    def key_for(*, flow_uuid: str, file_uuid: str) -> str:
        return BlobStore.key_for(flow_uuid=flow_uuid, file_uuid=file_uuid)

    def _object(self, key: str) -> str:
        if not _KEY.match(key):  # keys are built from uuids only; anything else is a bug or an attack
            raise ValueError(f"bad blob key {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._object(key), Body=data)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._object(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise BlobNotFoundError(f"blob {key} is missing") from exc
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def delete_flow(self, flow_uuid: str) -> None:
        if not _KEY.match(f"{flow_uuid}/{flow_uuid}"):
            raise ValueError(f"bad flow id {flow_uuid!r}")
        prefix = f"{self.prefix}/{flow_uuid}/" if self.prefix else f"{flow_uuid}/"
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})

    def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (tests and first start against an empty store)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)


def open_blob_store(settings: Settings) -> BlobStore | S3BlobStore:
    """The blob store ATLAS_BLOB_URL names: a folder (file://, the default) or an S3 bucket."""
    url = settings.blob_url
    if not url:
        return BlobStore(settings.blob_dir)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return BlobStore(Path(parts.netloc + parts.path) if parts.netloc else Path(parts.path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise BlobStoreConfigError(f"ATLAS_BLOB_URL {url!r} names no bucket")
        return S3BlobStore(
            bucket=parts.netloc,
            prefix=parts.path,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
        )
    raise BlobStoreConfigError(f"ATLAS_BLOB_URL scheme {parts.scheme!r} is not file:// or s3://")
