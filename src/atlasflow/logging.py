"""Structured JSON logs (structlog): one object per line, ids only, never personal data.

Context such as `flow_uuid` is bound with `bind_flow` (contextvars), so every line written
while a request or a stage works on a flow carries it without being passed around.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from typing import Any

import structlog

_configured = False


def configure_logging(*, level: str = "INFO", json: bool = True, process: str = "") -> None:
    """Route stdlib logging and structlog to one JSON-lines stream on stderr."""
    global _configured
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if process:
        processors.append(_add_static("process", process))
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*processors, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    # Libraries that use stdlib logging (uvicorn errors, alembic) go through the same renderer.
    handler = _CurrentStderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=processors,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "httpx", "httpcore", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.error").propagate = True
    logging.getLogger("uvicorn.error").handlers[:] = []
    _configured = True


class _StderrLogger:
    """Writes each rendered line to whatever sys.stderr is now; a closed or broken stream drops
    the line rather than breaking the code that logged it."""

    def msg(self, message: str) -> None:
        try:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
        except (ValueError, OSError):
            pass

    log = debug = info = warn = warning = error = critical = exception = fatal = msg


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stdlib handler bound to the current sys.stderr, not the one present at configuration."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _stderr_logger(*_args: Any) -> _StderrLogger:
    return _StderrLogger()


def _add_static(key: str, value: str) -> Any:
    def processor(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
        event.setdefault(key, value)
        return event

    return processor


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name) if name else structlog.get_logger()


@contextmanager
def bind_flow(flow_uuid: str | None, **ids: str):
    """Bind flow_uuid (and other ids) to every log line written inside the block."""
    values = {"flow_uuid": flow_uuid, **ids}
    tokens = structlog.contextvars.bind_contextvars(**values)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)
