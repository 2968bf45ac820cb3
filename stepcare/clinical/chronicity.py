"""Acute, subacute or chronic from the pain's duration (CDC 2022 definitions, knowledge/chronicity.yaml)."""

from __future__ import annotations

import functools
from typing import Literal

from stepcare.clinical.case import Case
from stepcare.clinical.knowledge import Entry, KnowledgeError, KnowledgeFile, load
from stepcare.clinical.vocab import Chronicity

__all__ = ["classify", "knowledge"]


class Band(Entry):
    id: Literal["acute", "subacute", "chronic"]
    below_days: int | None


class ChronicityFile(KnowledgeFile):
    bands: tuple[Band, ...]


@functools.cache
def knowledge() -> ChronicityFile:
    kb = load("chronicity.yaml", ChronicityFile)
    limits = [b.below_days for b in kb.bands]
    if limits[-1] is not None or any(x is None for x in limits[:-1]) or limits[:-1] != sorted(limits[:-1]):  # type: ignore[type-var]
        raise KnowledgeError("knowledge/chronicity.yaml: bands must ascend and end with an open band")
    return kb


def classify(case: Case) -> Chronicity | None:
    """None when neither onset nor duration is known: a guess would mislead the plan."""
    days = case.duration_days
    if days is None:
        return None
    for band in knowledge().bands:
        if band.below_days is None or days < band.below_days:
            return band.id
    raise AssertionError("unreachable: the last band is open")
