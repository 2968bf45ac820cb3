"""Strict parsing of settings from the environment; every error names the variable and what to do."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from stepcare.records.time_zones import is_time_zone

MODES = ("demo", "dev", "production")
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")
POSTGRES_SCHEMES = ("postgres", "postgresql")


def env_mode() -> str:
    """STEPCARE_MODE, default production, so a forgotten variable fails safe."""
    mode = os.environ.get("STEPCARE_MODE", "production").strip().lower()
    if mode not in MODES:
        raise ImproperlyConfigured(f"STEPCARE_MODE must be one of {', '.join(MODES)}; got {mode!r}.")
    return mode


def parse_bool(name: str, value: str) -> bool:
    """Parse a boolean strictly: a typo must not silently mean False."""
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no; got {value!r}.")


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return parse_bool(name, value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_time_zone(name: str, default: str) -> str:
    """An IANA zone name (America/Chicago); a typo must fail at start-up, not show times in the wrong zone."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not is_time_zone(value):
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone name such as America/Chicago or UTC; got {value!r}."
        )
    return value


def sqlite_database(path: Path) -> dict[str, Any]:
    """SQLite in WAL mode with IMMEDIATE transactions: readers never block the writer."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        },
    }


def database_from_url(url: str | None, *, sqlite_path: Path) -> dict[str, Any]:
    """DATABASE_URL unset → SQLite file; postgres(ql)://user:pass@host:port/name → PostgreSQL."""
    if url is None or url.strip() == "":
        return sqlite_database(sqlite_path)
    parts = urlsplit(url.strip())
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL has unsupported scheme {parts.scheme!r}: use "
            "postgresql://user:password@host:port/dbname, or leave DATABASE_URL unset for SQLite."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured(
            "DATABASE_URL has no database name: use postgresql://user:password@host:port/dbname."
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL has an invalid port: {exc}.") from exc
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port) if port else "",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
