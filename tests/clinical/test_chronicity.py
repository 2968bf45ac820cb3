"""Chronicity follows the CDC 2022 definitions: acute < 1 month, subacute 1-3 months, chronic > 3."""

from __future__ import annotations

import datetime as dt

import pytest

from stepcare.clinical import chronicity, parse_case


def _case(**pain: object) -> object:
    return parse_case({"as_of": "2026-11-24", "patient": {"age": 40}, "pain": pain})


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, "acute"), (29, "acute"), (30, "subacute"), (90, "subacute"), (91, "chronic"), (4000, "chronic")],
)
def test_duration_days_maps_to_the_cdc_bands(days: int, expected: str) -> None:
    assert chronicity.classify(_case(duration_days=days)) == expected  # type: ignore[arg-type]


def test_onset_counts_from_as_of() -> None:
    onset = dt.date(2026, 11, 24) - dt.timedelta(days=91)
    assert chronicity.classify(_case(onset=onset.isoformat())) == "chronic"  # type: ignore[arg-type]


def test_unknown_onset_gives_none() -> None:
    assert chronicity.classify(_case()) is None  # type: ignore[arg-type]


def test_bands_come_from_the_knowledge_file() -> None:
    kb = chronicity.knowledge()
    assert [b.id for b in kb.bands] == ["acute", "subacute", "chronic"]
    assert all(b.citation == ("CDC22",) for b in kb.bands)
