"""Settings come from the environment and are parsed strictly; errors name the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test import override_settings

import stepcare.web.settings as production_settings
from stepcare.web.env import database_from_url, parse_bool

REPO_ROOT = Path(__file__).resolve().parents[2]


PRINT_DEBUG_AND_ENGINE = "import stepcare.web.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"


def run_settings(code: str = PRINT_DEBUG_AND_ENGINE, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the real settings module in a fresh interpreter with exactly these variables set."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("STEPCARE_MODE", "SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_postgres_url_is_parsed() -> None:
    db = database_from_url("postgresql://care:s%40fe@db.internal:6543/stepcare", sqlite_path=Path("x"))

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.internal", "6543", "stepcare")
    assert (db["USER"], db["PASSWORD"]) == ("care", "s@fe")


def test_postgres_short_scheme_is_accepted() -> None:
    assert database_from_url("postgres://u@h/n", sqlite_path=Path("x"))["NAME"] == "n"


def test_unset_url_means_sqlite_in_wal_mode(tmp_path: Path) -> None:
    db = database_from_url(None, sqlite_path=tmp_path / "s.sqlite3")

    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_default_sqlite_file_is_under_var() -> None:
    result = run_settings(
        "import stepcare.web.settings as s; print(s.DATABASES['default']['NAME'])", STEPCARE_MODE="dev"
    )

    assert result.stdout.strip() == str(REPO_ROOT / "var" / "stepcare.sqlite3")
    assert (REPO_ROOT / "var").is_dir()


@pytest.mark.parametrize("url", ["mysql://u:p@h/db", "sqlite:///tmp/x.db", "nonsense"])
def test_unsupported_database_url_names_the_variable(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url, sqlite_path=Path("x"))


def test_database_url_without_name_is_an_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL has no database name"):
        database_from_url("postgresql://u:p@host:5432/", sqlite_path=Path("x"))


def test_bad_database_url_stops_startup() -> None:
    result = run_settings(STEPCARE_MODE="dev", DATABASE_URL="mysql://u:p@h/db")

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_requires_secret_key() -> None:
    result = run_settings(STEPCARE_MODE="production")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mode_is_the_default() -> None:
    result = run_settings()

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_with_secret_key_starts_with_debug_off() -> None:
    result = run_settings(STEPCARE_MODE="production", SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_dev_mode_has_debug_on_by_default() -> None:
    result = run_settings(STEPCARE_MODE="dev")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def test_unparseable_debug_names_the_variable() -> None:
    result = run_settings(STEPCARE_MODE="dev", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_unknown_mode_is_an_error() -> None:
    result = run_settings(STEPCARE_MODE="staging")

    assert result.returncode != 0
    assert "STEPCARE_MODE" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("false", False),
        ("0", False),
        ("no", False),
    ],
)
def test_booleans_parse_strictly(raw: str, expected: bool) -> None:
    assert parse_bool("DEBUG", raw) is expected


@pytest.mark.parametrize("raw", ["on", "off", "ture", "2", "y"])
def test_anything_else_is_not_a_boolean(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        parse_bool("DEBUG", raw)


def test_production_hasher_is_argon2(db: None) -> None:
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        assert make_password("a-long-test-password").startswith("argon2$")


def test_sqlite_file_database_runs_in_wal_mode(tmp_path: Path, django_db_blocker: Any) -> None:
    """A fresh connection with our DATABASES options on a file really switches to WAL."""
    config = database_from_url(None, sqlite_path=tmp_path / "wal-check.sqlite3")
    wrapper = SQLiteWrapper({**settings.DATABASES["default"], **config, "TEST": {}}, alias="wal-check")
    with django_db_blocker.unblock():
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL
        wrapper.close()


@pytest.mark.django_db
def test_active_sqlite_database_is_in_wal_mode() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("WAL applies to SQLite only")
    if connection.is_in_memory_db():
        pytest.skip("the test database is in memory; WAL is checked on a file database above")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
