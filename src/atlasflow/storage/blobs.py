"""The blob store: downloaded and uploaded document bytes, one file per document under a folder.

Keys are `<flow_uuid>/<file_uuid>`; writes go to a temporary name and are renamed into place,
so a crash never leaves a half-written blob under a real key.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from atlasflow.errors import AtlasError

_KEY = re.compile(r"^[0-9a-f-]{36}/[0-9a-f-]{36}$")


class BlobNotFoundError(AtlasError):
    """The blob for a document is missing (deleted by retention, or never written)."""


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def key_for(*, flow_uuid: str, file_uuid: str) -> str:
        return f"{flow_uuid}/{file_uuid}"

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):  # keys are built from uuids only; anything else is a bug or an attack
            raise ValueError(f"bad blob key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFoundError(f"blob {key} is missing") from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_flow(self, flow_uuid: str) -> None:
        shutil.rmtree(self.root / flow_uuid, ignore_errors=True)
