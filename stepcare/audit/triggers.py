"""Database triggers that make audit_auditevent append-only whatever code runs against it.

Used by migration 0002; kept here so the test that needs to clear audit rows between
live-server tests can remove and restore exactly the same triggers.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
TRIGGER_MESSAGE = "audit_auditevent is append-only"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{TRIGGER_MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{TRIGGER_MESSAGE}'); END;",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]

POSTGRESQL_INSTALL = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{TRIGGER_MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END; $$;",
    f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE};",
    f"CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE};",
    "DROP FUNCTION IF EXISTS audit_refuse_change();",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    raise NotImplementedError(f"No append-only audit triggers for database vendor {vendor!r}.")


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=True):
            cursor.execute(sql)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=False):
            cursor.execute(sql)
