"""ICD-10-CM diagnosis codes per condition, and the pick of the best code(s) for where the pain is.

The codes, their descriptions and qualifiers live in knowledge/icd10cm.yaml. ICD-10-CM encodes the side
(right / left / bilateral / unspecified) and for some conditions the limb or site, so the pick reads the
sites (region, side) of the pain or of the procedure: one code per group of sites the codes tell apart
(CRPS of an arm and of a leg are two codes), the other codes that fit as alternatives, and in plain
words what the chart lacks when only an unspecified code fits. Pure: no case, no I/O beyond the file.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from stepcare.clinical.differential import condition_label
from stepcare.clinical.knowledge import Entry, Evidence, KnowledgeError, KnowledgeFile, cite, load
from stepcare.clinical.vocab import DIAGNOSIS_CODES, DiagnosisCode, ImagingFinding, Region

__all__ = [
    "CODE_PATTERN",
    "CodePick",
    "IcdCode",
    "IcdSide",
    "codes_for",
    "evidence_of",
    "knowledge",
    "pick_codes",
]

_FILE = "knowledge/icd10cm.yaml"
# ICD-10-CM: a letter (not U), a digit, a digit or A/B; then after the dot up to four characters.
CODE_PATTERN = r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$"
IcdSide = Literal["right", "left", "bilateral", "unspecified"]


class IcdCode(BaseModel):
    """One ICD-10-CM code a condition may be coded with, and what ICD-10-CM encodes in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=CODE_PATTERN)
    description: str = Field(min_length=1)
    side: IcdSide | None = None  # None: the code carries no laterality
    regions: tuple[Region, ...] = ()  # the body regions it covers; () = it does not depend on the site
    qualifier: str | None = None
    findings: tuple[ImagingFinding, ...] = ()  # imaging findings that make it the better choice
    unspecified_site: bool = False  # only when no site is recorded
    evidence: Evidence | None = None  # None: the condition's
    note: str | None = None


class ConditionCodes(Entry):
    id: DiagnosisCode
    codes: tuple[IcdCode, ...] = Field(min_length=1)


class Messages(Entry):
    id: Literal["messages"]
    side_unspecified: str = Field(min_length=1)
    site_unspecified: str = Field(min_length=1)


class Laterality(Entry):
    id: Literal["laterality"]
    bilateral_as_left_and_right: bool


class IcdFile(KnowledgeFile):
    laterality: Laterality
    messages: Messages
    conditions: tuple[ConditionCodes, ...]


@dataclass(frozen=True, slots=True)
class CodePick:
    """The best code per group of sites, the other codes that fit, and what the chart lacks (if anything)."""

    condition: str
    codes: tuple[IcdCode, ...]
    alternatives: tuple[IcdCode, ...]
    missing: tuple[str, ...]
    citation: str


@functools.cache
def knowledge() -> IcdFile:
    kb = load("icd10cm.yaml", IcdFile)
    ids = [c.id for c in kb.conditions]
    missing = sorted(set(DIAGNOSIS_CODES) - set(ids))
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if missing or twice:
        raise KnowledgeError(
            f"{_FILE}: needs each diagnosis code exactly once (missing: {missing}, twice: {twice})"
        )
    for i, c in enumerate(kb.conditions):
        where = f"{_FILE}: conditions[{i}] (entry {c.id!r})"
        seen = [k.code for k in c.codes]
        if len(seen) != len(set(seen)):
            raise KnowledgeError(f"{where}: a code is listed twice")
        for k in c.codes:
            if k.unspecified_site and (k.regions or k.side is not None):
                raise KnowledgeError(f"{where}: {k.code} is for an unrecorded site: no regions or side")
            if k.side is not None and not k.regions:
                raise KnowledgeError(f"{where}: {k.code} has a side, so it needs the regions it covers")
        for group in {k.regions for k in c.codes if k.side is not None}:
            sides = {k.side for k in c.codes if k.regions == group}
            if not {"right", "left", "unspecified"} <= sides:
                raise KnowledgeError(
                    f"{where}: the sided codes for {', '.join(group)} need a right, a left and an "
                    "unspecified-side code"
                )
    sample = {"condition": "c", "code": "X00", "description": "d", "where": "w"}
    for name in ("side_unspecified", "site_unspecified"):
        try:
            getattr(kb.messages, name).format(**sample)
        except (KeyError, IndexError, ValueError) as exc:
            raise KnowledgeError(f"{_FILE}: messages.{name}: bad placeholder ({exc!r})") from None
    return kb


@functools.cache
def _index() -> Mapping[str, ConditionCodes]:
    return {c.id: c for c in knowledge().conditions}


def codes_for(condition: str) -> tuple[IcdCode, ...]:
    """Every ICD-10-CM code listed for a condition, in the file's order of preference."""
    entry = _index().get(condition)
    if entry is None:
        raise ValueError(f"unknown condition code {condition!r}")
    return entry.codes


def _combine(sides: Iterable[str | None]) -> IcdSide:
    """Left and right (or any bilateral) make bilateral; one side alone is that side; else unspecified."""
    found = {s for s in sides if s in ("left", "right", "bilateral")}
    if "bilateral" in found or {"left", "right"} <= found:
        return "bilateral"
    if len(found) == 1:
        return "left" if "left" in found else "right"
    return "unspecified"


def _preferred(codes: list[IcdCode], findings: Collection[str]) -> list[IcdCode]:
    """Codes whose imaging findings are present first, then codes without findings, then the rest."""

    def rank(code: IcdCode) -> int:
        if not code.findings:
            return 1
        return 0 if any(f in findings for f in code.findings) else 2

    return sorted(codes, key=rank)  # stable: the file's order within a rank


def _where(regions: tuple[str, ...]) -> str:
    """'knee'; 'shoulder, elbow or wrist-hand' (a sided code always names its regions)."""
    return " or ".join(filter(None, (", ".join(regions[:-1]), regions[-1])))


def pick_codes(
    condition: str,
    sites: Iterable[tuple[str, str | None]] = (),
    *,
    findings: Collection[str] = (),
) -> CodePick:
    """The best ICD-10-CM code(s) for `condition` given the (region, side) sites of the pain or procedure.

    Sites are grouped by the code regions they fall in (a site outside every coded region counts only
    when the condition has site-independent codes); each group's sides combine (left and right make
    bilateral) and the group gets the first code of that side, by the file's order with codes whose
    `findings` are among `findings` first; bilateral without a bilateral code is the right and the left
    code. With no usable site the unspecified-site code, else the site-independent codes, else the
    unspecified-side codes are used, and `missing` says what to record.
    """
    entry = _index().get(condition)
    if entry is None:
        raise ValueError(f"unknown condition code {condition!r}")
    codes = entry.codes
    kb = knowledge()
    texts, laterality = kb.messages, kb.laterality
    sided = False  # a code was chosen by side: the laterality guideline is cited too
    label = condition_label(condition)
    general = tuple(c for c in codes if not c.regions and not c.unspecified_site)
    groups: dict[tuple[str, ...], list[str | None]] = {}
    for region, side in sites:
        group: tuple[str, ...] | None = next((c.regions for c in codes if region in c.regions), None)
        if group is None and general:
            group = ()
        if group is not None:
            groups.setdefault(group, []).append(side)

    chosen: list[IcdCode] = []
    alternatives: list[IcdCode] = []
    missing: list[str] = []

    def take(fit: list[IcdCode]) -> None:
        ordered = _preferred(fit, findings)
        if ordered:
            chosen.append(ordered[0])
            alternatives.extend(c for c in ordered[1:] if c not in alternatives and c not in chosen)

    if not groups:
        unspecified_site = [c for c in codes if c.unspecified_site]
        if unspecified_site:
            take(unspecified_site)
            missing.append(
                texts.site_unspecified.format(
                    condition=label, code=chosen[0].code, description=chosen[0].description
                )
            )
        elif general:
            take(list(general))
        else:
            groups = {c.regions: [] for c in codes if c.side == "unspecified"}
    for group, sides in groups.items():
        members = [c for c in codes if c.regions == group and not c.unspecified_site]
        if not any(c.side for c in members):
            take(members)
            continue
        sided = True
        want = _combine(sides)
        fit = [c for c in members if c.side == want]
        if not fit and want == "bilateral" and laterality.bilateral_as_left_and_right:
            # no bilateral code: the right and the left code (ICD-10-CM guideline I.B.13)
            take([c for c in members if c.side == "right"])
            fit = [c for c in members if c.side == "left"]
        take([*fit, *(c for c in members if c.side is None)])
        if want == "unspecified" and fit:
            missing.append(
                texts.side_unspecified.format(
                    condition=label, code=fit[0].code, description=fit[0].description, where=_where(group)
                )
            )
    picked = tuple(dict.fromkeys(chosen))
    return CodePick(
        condition=condition,
        codes=picked,
        alternatives=tuple(c for c in alternatives if c not in picked),
        missing=tuple(missing),
        citation=cite((*entry.citation, *laterality.citation) if sided else entry.citation),
    )


def evidence_of(condition: str, code: IcdCode) -> Evidence:
    """How well this code's pairing with the condition was checked: its own tag, else the entry's."""
    return code.evidence or _index()[condition].evidence
