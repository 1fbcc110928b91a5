"""JWT signing keys: from settings (`ATLAS_JWT_KEYS`) or a 0600 key file made on first start.

Rotation adds a key and makes it the signer; older keys keep verifying tokens they signed
until they are removed. The key file is re-read when it changes, so a running server picks
up a rotation done with `atlas key rotate` without a restart.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from atlasflow.errors import AtlasError

KEY_FILE_NAME = "jwt_keys.json"


class KeyConfigError(AtlasError):
    """The configured signing keys cannot be used."""


@dataclass(frozen=True, slots=True)
class KeyRing:
    active_kid: str
    keys: dict[str, bytes]

    def key(self, kid: str) -> bytes | None:
        return self.keys.get(kid)


def parse_keys(value: str) -> KeyRing:
    """Parse "kid:secret,kid2:secret2"; the first key signs."""
    keys: dict[str, bytes] = {}
    active = ""
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        kid, sep, secret = part.partition(":")
        if not sep or not kid or len(secret) < 32:
            raise KeyConfigError(
                "ATLAS_JWT_KEYS must be 'kid:secret,...' with secrets of at least 32 characters"
            )
        keys[kid] = secret.encode()
        active = active or kid
    if not keys:
        raise KeyConfigError("ATLAS_JWT_KEYS names no key")
    return KeyRing(active, keys)


def _new_kid() -> str:
    return time.strftime("k%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(2)


def _write_file(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    os.replace(tmp, path)


def _read_file(path: Path) -> KeyRing:
    data = json.loads(path.read_text())
    keys = {kid: base64.b64decode(secret) for kid, secret in data["keys"].items()}
    if data["active"] not in keys:
        raise KeyConfigError(f"{path}: the active key is not in the file")
    return KeyRing(data["active"], keys)


def ensure_key_file(path: Path) -> KeyRing:
    """Load the key file, creating it (mode 0600, one fresh key) if it does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        kid = _new_kid()
        data = {"active": kid, "keys": {kid: base64.b64encode(secrets.token_bytes(32)).decode()}}
        tmp = path.with_suffix(f".new{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2)
        try:
            os.link(tmp, path)  # atomic create-if-absent: two processes starting at once agree on one key
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    _tighten(path)
    return _read_file(path)


def _tighten(path: Path) -> None:
    """A key file others can read lets them mint tokens for any client: make it 0600 and say so."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        os.chmod(path, 0o600)
        structlog.get_logger("atlasflow.auth").warning(
            "signing key file was readable by others; permissions set to 0600, consider `atlas key rotate`",
            path=str(path),
            mode=oct(mode),
        )


def rotate_key_file(path: Path) -> str:
    ring = ensure_key_file(path)
    kid = _new_kid()
    keys = {k: base64.b64encode(v).decode() for k, v in ring.keys.items()}
    keys[kid] = base64.b64encode(secrets.token_bytes(32)).decode()
    _write_file(path, {"active": kid, "keys": keys})
    return kid


def remove_key(path: Path, kid: str) -> None:
    ring = ensure_key_file(path)
    if kid == ring.active_kid:
        raise KeyConfigError("cannot remove the active signing key; rotate first")
    if kid not in ring.keys:
        raise KeyConfigError(f"no key {kid}")
    keys = {k: base64.b64encode(v).decode() for k, v in ring.keys.items() if k != kid}
    _write_file(path, {"active": ring.active_kid, "keys": keys})


class KeySource:
    """The current KeyRing; re-reads the key file (at most once a second) when it changed."""

    def __init__(self, *, configured: str, key_file: Path) -> None:
        self._configured = parse_keys(configured) if configured else None
        self._path = key_file
        self._lock = threading.Lock()
        self._ring: KeyRing | None = None
        self._mtime = 0.0
        self._checked = 0.0

    def ring(self) -> KeyRing:
        if self._configured is not None:
            return self._configured
        now = time.monotonic()
        if self._ring is not None and now - self._checked < 1.0:
            return self._ring
        with self._lock:
            self._checked = now
            try:
                mtime = self._path.stat().st_mtime
            except FileNotFoundError:
                mtime = -1.0
            if self._ring is None or mtime != self._mtime:
                self._ring = ensure_key_file(self._path)
                self._mtime = self._path.stat().st_mtime
            return self._ring
