"""Views reach patients only through selectors/services; every view is role-checked."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import URLPattern, get_resolver

STEPCARE = Path(__file__).resolve().parents[2] / "stepcare"
DIRECT_PATIENT_QUERY = re.compile(r"\bPatient\.(objects|_default_manager|_base_manager)\b")
ALLOWED = {"selectors.py", "services.py"}


def test_views_never_query_patients_directly() -> None:
    offenders = [
        f"{path.relative_to(STEPCARE)}:{number}"
        for path in STEPCARE.rglob("*.py")
        if path.name not in ALLOWED
        and "clinical" not in path.parts
        and "migrations" not in path.parts
        and (path.name.startswith("views") or "views" in path.parts or path.name == "forms.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if DIRECT_PATIENT_QUERY.search(line)
    ]

    assert offenders == [], "query patients through stepcare.records.selectors instead"


def test_the_check_itself_finds_a_direct_query() -> None:
    assert DIRECT_PATIENT_QUERY.search("p = Patient.objects.get(pk=1)")
    assert not DIRECT_PATIENT_QUERY.search("patients_visible_to(user).get(pk=1)")


def test_every_stepcare_view_declares_its_roles() -> None:
    """Each non-auth URL's view is wrapped by role_required (which records `allowed_roles`)."""
    checked, unguarded = [], []
    for pattern in _patterns(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        if not module.startswith("stepcare.") or "accounts.views" in module:
            continue
        checked.append(pattern.name)
        if not _allowed_roles(pattern.callback):
            unguarded.append(pattern.name)

    assert len(checked) >= 11
    assert unguarded == []


def _allowed_roles(view: object) -> tuple[str, ...]:
    while view is not None:
        roles = getattr(view, "allowed_roles", None)
        if roles:
            return tuple(roles)
        view = getattr(view, "__wrapped__", None)
    return ()


def _patterns(patterns: list) -> list[URLPattern]:  # type: ignore[type-arg]
    found: list[URLPattern] = []
    for p in patterns:
        if isinstance(p, URLPattern):
            found.append(p)
        else:
            found.extend(_patterns(p.url_patterns))
    return found
