"""Log formatting: JSON lines for machines (stderr is not a terminal), readable lines for people (a terminal).

Every line carries the time (UTC, ISO 8601), level, logger, message and request id (core.request_id). Gunicorn's
access log uses the same formatters (deploy/gunicorn.conf.py), with the request's method, path, status, duration
and id as fields.
"""

import logging
import sys
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

FORMATS = ("auto", "json", "text")


def _iso_time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id, then any `extra` fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s %(request_id)s", *args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        log_data.pop("asctime", None)
        ordered = {"time": _iso_time(record)}
        ordered.update(log_data)
        log_data.clear()
        log_data.update(ordered)


class TextFormatter(logging.Formatter):
    """`2026-12-07T23:59:01.123Z INFO    notifications.sender [3f2a…] message`"""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or "-"
        line = f"{_iso_time(record)} {record.levelname:<7} {record.name} [{request_id}] {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


class GunicornAccessFilter(logging.Filter):
    """Turns gunicorn's access-log atoms into fields (method, path, status, duration, client, request id)."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args if isinstance(record.args, dict) else None
        if atoms:
            record.http_method = atoms.get("m")
            record.http_path = atoms.get("U")
            record.http_status = _int(atoms.get("s"))
            record.duration_ms = round((_int(atoms.get("D")) or 0) / 1000, 1)
            record.client = atoms.get("h")
            request_id = atoms.get("{x-request-id}o")
            record.request_id = None if request_id in (None, "-") else request_id
        return True


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def log_format_resolve(fmt: str, stream=None) -> str:
    """ "json" or "text": `auto` picks text on a terminal, JSON otherwise."""
    if fmt in ("json", "text"):
        return fmt
    stream = stream or sys.stderr
    return "text" if getattr(stream, "isatty", lambda: False)() else "json"


def logging_config(*, level: str, fmt: str) -> dict:
    """The `LOGGING` dict, for Django and for gunicorn (deploy/gunicorn.conf.py): the same handlers and formats."""
    formatter = "json" if log_format_resolve(fmt) == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "core.request_id.RequestIdFilter"},
            "gunicorn_access": {"()": "core.logs.GunicornAccessFilter"},
        },
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}, "text": {"()": "core.logs.TextFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": formatter, "filters": ["request_id"]},
            "access": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["gunicorn_access", "request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own request logger repeats what the access log says; its errors still go to the root.
            "django.server": {"level": "WARNING"},
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
