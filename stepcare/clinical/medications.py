"""Medications: MME by a versioned CDC table, and the medication-safety and opioid-stewardship alerts.

The drug facts (knowledge/drugs.yaml), the conversion tables (knowledge/mme.yaml) and the alert rules,
thresholds and monitoring intervals (knowledge/medication_alerts.yaml) are data; this module only
resolves names, adds doses up and applies the rules. Lookups are precomputed when the knowledge loads
so one call is plain dict and set work.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from stepcare.clinical import chronicity
from stepcare.clinical.case import Case, Ingredient, Medication
from stepcare.clinical.knowledge import Entry, Evidence, KnowledgeError, KnowledgeFile, cite, load
from stepcare.clinical.result import Alert, Mme, MmeItem, _fast_init
from stepcare.clinical.vocab import LiverDisease, Route, Severity

__all__ = [
    "MME_TABLES",
    "DoseItem",
    "DrugInfo",
    "MedicationError",
    "MedicationKnowledge",
    "assess",
    "compute_mme",
    "dose_items",
    "knowledge",
    "monitoring_status",
    "neuraxial_hold",
    "normalize_name",
    "resolve",
    "steroid_injection_glucose_alert",
]

DrugClass = Literal[
    "opioid", "naloxone", "acetaminophen", "benzodiazepine", "z-drug", "barbiturate",
    "sedating-antihistamine", "muscle-relaxant", "gabapentinoid", "snri", "ssri", "tca", "maoi",
    "other-antidepressant", "other-serotonergic", "antibiotic", "triptan", "nsaid", "cox2",
    "anticoagulant", "antiplatelet", "corticosteroid", "ppi", "ace-inhibitor", "arb", "diuretic", "other",
]  # fmt: skip


class MedicationError(ValueError):
    """A medication line the engine cannot read (a combination product named without its doses).

    The message starts with the field path (`medications[1].name: ...`) like every input error.
    """


# ---------------------------------------------------------------------------------------------- schemas


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RenalBand(_Strict):
    """One creatinine-clearance band (eGFR stands in): from `egfr_from` upward to the next band."""

    egfr_from: float = Field(ge=0)
    min_daily_mg: float | None = None
    max_daily_mg: float | None = None
    avoid: bool = False


class Drug(Entry):
    classes: tuple[DrugClass, ...] = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    er_aliases: tuple[str, ...] = ()
    serotonergic: bool = False
    cns_depressant: bool = False
    long_acting: bool = False
    rxcui: str | None = None
    rxcui_evidence: Evidence = "unverified"
    max_daily_mg: float | None = None
    renal: tuple[RenalBand, ...] = ()
    avoid_liver_disease: tuple[LiverDisease, ...] = ()

    @model_validator(mode="after")
    def _bands_descend(self) -> Drug:
        starts = [b.egfr_from for b in self.renal]
        if starts and (starts != sorted(starts, reverse=True) or starts[-1] != 0):
            raise ValueError("renal bands must descend by egfr_from and end at 0")
        return self


class Combination(Entry):
    ingredients: tuple[str, ...] = Field(min_length=2)
    aliases: tuple[str, ...] = ()


class DrugsFile(KnowledgeFile):
    ignored_words: tuple[str, ...] = ()
    drugs: tuple[Drug, ...]
    combinations: tuple[Combination, ...] = ()


class Tier(_Strict):
    up_to_mg: float | None
    factor: float = Field(gt=0)


class Factor(Entry):
    routes: tuple[Route, ...] = ("oral",)
    unit: Literal["mg", "mcg/hr", "any"] = "mg"
    factor: float | None = Field(default=None, gt=0)
    tiers: tuple[Tier, ...] = ()
    excluded: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Factor:
        kinds = (self.factor is not None) + bool(self.tiers) + (self.excluded is not None)
        if kinds != 1:
            raise ValueError("give exactly one of factor, tiers or excluded")
        if self.tiers and self.tiers[-1].up_to_mg is not None:
            raise ValueError("the last tier must be open (up_to_mg: null)")
        return self


class Table(Entry):
    label: str
    factors: tuple[Factor, ...]


class MmeNotes(_Strict):
    prn: str
    patch: str
    excluded: str
    uncovered: str
    tiered: str
    duplicate: str


class MmeFile(KnowledgeFile):
    rounding_decimals: int = Field(ge=0, le=3)
    notes: MmeNotes
    tables: tuple[Table, ...] = Field(min_length=1)


class Threshold(Entry):
    value: float
    unit: str


class CodeSet(Entry):
    values: tuple[str, ...]


class AlertRule(Entry):
    code: str | None = None
    severity: Severity
    message: str
    action: str


class MonitoringCheck(Entry):
    id: Literal["pdmp", "urine-drug-test", "treatment-agreement", "naloxone", "opioid-reassessment"]
    label: str
    interval_days: int | None = Field(default=None, gt=0)
    first_within_days: int | None = Field(default=None, gt=0)


class Hold(Entry):
    days: float = Field(gt=0)
    text: str


class AlertsFile(KnowledgeFile):
    thresholds: tuple[Threshold, ...]
    sets: tuple[CodeSet, ...]
    phrases: dict[str, str]
    alerts: tuple[AlertRule, ...]
    monitoring: tuple[MonitoringCheck, ...]
    due_soon_days: int = Field(ge=0)
    neuraxial_holds: tuple[Hold, ...]


# ------------------------------------------------------------------------------------ loaded knowledge


@dataclass(frozen=True, slots=True)
class DrugInfo:
    """A drug as the rules see it: its id, classes (plus `cns-depressant`/`serotonergic` flags)."""

    id: str
    classes: frozenset[str]
    entry: Drug

    def has(self, cls: str) -> bool:
        return cls in self.classes


@dataclass(frozen=True, slots=True)
class _Rule:
    code: str
    severity: Severity
    message: str
    action: str
    citation: str
    # precomputed for alert(): the message with its first letter already upper case when that letter is
    # literal text (else None), and the action as shown when it has no placeholders (else None)
    message_capitalized: str | None = None
    action_fixed: str | None = None
    # generated code doing what format_map does with `message_capitalized` / `action` (None: use format_map)
    render_message: Callable[[Mapping[str, Any]], str] | None = None
    render_action: Callable[[Mapping[str, Any]], str] | None = None
    # for a message starting with a placeholder: generated code filling `message` (then capitalized)
    render_raw: Callable[[Mapping[str, Any]], str] | None = None


_CONVERSIONS = {None: "", "r": "!r", "s": "!s", "a": "!a"}


def _renderer(template: str) -> Callable[[Mapping[str, Any]], str] | None:
    """Code filling `template` from a mapping exactly as `template.format_map` does (each field an
    f-string with the same conversion and format spec), or None for a template it does not cover."""
    parts: list[str] = []
    for literal, name, spec, conv in string.Formatter().parse(template):
        if literal:
            parts.append(repr(literal))
        if name is None:
            continue
        if (
            not name.isidentifier()
            or conv not in _CONVERSIONS
            or any(ch in (spec or "") for ch in "{}'\"\\\n")
        ):
            return None
        parts.append(
            f'f"{{d[{name!r}]{_CONVERSIONS[conv]}:{spec or ""}}}"'
            if spec
            else f'f"{{d[{name!r}]{_CONVERSIONS[conv]}}}"'
        )
    source = f"def render(d):\n    return {' + '.join(parts) if parts else repr('')}\n"
    env: dict[str, Any] = {}
    exec(compile(source, "<stepcare:medication message>", "exec"), env)  # noqa: S102 - fixed names
    render: Callable[[Mapping[str, Any]], str] = env["render"]
    return render


def _rule(code: str, severity: Severity, message: str, action: str, citation: str) -> _Rule:
    literal_start = bool(message) and message[0] not in "{}"
    fixed = not any(name is not None for _, name, _, _ in string.Formatter().parse(action))
    capitalized = message[:1].upper() + message[1:] if literal_start else None
    return _Rule(
        code,
        severity,
        message,
        action,
        citation,
        capitalized,
        action.format() if fixed else None,
        None if capitalized is None else _renderer(capitalized),
        None if fixed else _renderer(action),
        _renderer(message) if capitalized is None else None,
    )


@dataclass(frozen=True)
class MedicationKnowledge:
    drugs: DrugsFile
    mme: MmeFile
    alerts: AlertsFile
    by_name: dict[str, DrugInfo]
    combos: dict[str, Combination]
    er_names: frozenset[str]
    ignored: frozenset[str]
    tables: dict[str, dict[str, tuple[Factor, ...]]]
    table_labels: dict[str, str]
    table_citations: dict[str, str]
    threshold: dict[str, float]
    sets: dict[str, frozenset[str]]
    rules: dict[str, _Rule]
    checks: dict[str, MonitoringCheck]
    check_citations: dict[str, str]
    holds: dict[str, Hold]
    hold_citations: dict[str, str]
    naloxone_classes: tuple[str, ...]  # the naloxone-classes set, sorted (the order its reasons are given)


_SPLIT = re.compile(r"\s*[/+]\s*|\s+-\s+|\s+and\s+")
_SPACE = re.compile(r"\s+")
# A strength written into the name as an EHR or a label prints it ("oxycodone 5 mg tablet", "Norco 10/325",
# "fentanyl 25 mcg/hr patch", "hydrocodone 7.5 mg / acetaminophen 325 mg"): an amount with its unit, a
# bare ratio of amounts, or a release period ("OxyContin 20 mg 12 hr tablet"). It is dropped from the
# lookup key: the case's dose fields carry the amount (the dose ordered wins over the product strength, as
# in the peer CDC calculator). A lone number without a unit ("tylenol #3", "peg 3350") is part of the name.
_NUM = r"\d+(?:\.\d+)?"
_UNIT = r"(?:mcg|ug|\u00b5g|mg|gm|g|ml|%)(?:\s*/\s*(?:hr|h|hour|24\s*hr?|\d*\s*ml|actuation|spray))?"
_STRENGTH = re.compile(
    rf"(?<![\w#.]){_NUM}\s*{_UNIT}(?!\w)|(?<![\w#.]){_NUM}(?:\s*[/-]\s*{_NUM})+(?:\s*{_UNIT})?(?!\w)"
    rf"|(?<![\w#.]){_NUM}\s*(?:hr|hrs|h|hour|hours)(?!\w)"
)


@functools.lru_cache(maxsize=4096)
def _norm(name: str, ignored: frozenset[str]) -> str:
    """Lower case, strengths dropped; the ingredients of a combination ("a / b", "a + b", "a and b") are
    joined by "-" after salts and release words are dropped from each ("oxycodone hcl / apap")."""
    text = _STRENGTH.sub(" ", name.strip().lower())
    parts = []
    for part in _SPLIT.split(text):
        words = [w for w in _SPACE.split(part) if w and w not in ignored]
        if words:
            parts.append(" ".join(words))
    return "-".join(parts)


@functools.lru_cache(maxsize=4096)
def _plain_name(name: str, ignored: frozenset[str]) -> str:
    """The name as written, lower case, without strengths or salt and dosage-form words but with its
    release words (er, xr, cr, sr, la), to match extended-release brand names ("OxyContin 20 mg tablet")."""
    words = _SPACE.split(_STRENGTH.sub(" ", name.strip().lower()))
    return " ".join(w for w in words if w and (w in _ER_WORDS or w not in ignored))


@functools.cache
def knowledge() -> MedicationKnowledge:
    """Load the three medication files and precompute every lookup the rules need."""
    drugs = load("drugs.yaml", DrugsFile)
    mme = load("mme.yaml", MmeFile)
    alerts = load("medication_alerts.yaml", AlertsFile)
    ignored = frozenset(drugs.ignored_words)

    by_name: dict[str, DrugInfo] = {}
    er_names: set[str] = set()

    def claim(name: str, value: DrugInfo, owner: str) -> None:
        key = _norm(name, ignored)
        if key in by_name and by_name[key].id != value.id:
            raise KnowledgeError(
                f"knowledge/drugs.yaml: name {name!r} of {owner!r} already names {by_name[key].id!r}"
            )
        by_name[key] = value

    for d in drugs.drugs:
        classes: set[str] = set(d.classes)
        if d.cns_depressant:
            classes.add("cns-depressant")
        if d.serotonergic:
            classes.add("serotonergic")
        info = DrugInfo(d.id, frozenset(classes), d)
        claim(d.id, info, d.id)
        for alias in d.aliases:
            claim(alias, info, d.id)
        er_names.update(_plain_name(a, ignored) for a in d.er_aliases)

    combos: dict[str, Combination] = {}
    for c in drugs.combinations:
        for part in c.ingredients:
            if _norm(part, ignored) not in by_name:
                raise KnowledgeError(
                    f"knowledge/drugs.yaml: combination {c.id!r} names unknown ingredient {part!r}"
                )
        for name in (c.id, *c.aliases, "-".join(sorted(c.ingredients))):
            key = _norm(name, ignored)
            if key in by_name:
                raise KnowledgeError(f"knowledge/drugs.yaml: combination name {name!r} is also a single drug")
            combos[key] = c

    tables: dict[str, dict[str, tuple[Factor, ...]]] = {}
    for t in mme.tables:
        grouped: dict[str, list[Factor]] = {}
        for f in t.factors:
            if _norm(f.id, ignored) not in by_name or not by_name[_norm(f.id, ignored)].has("opioid"):
                raise KnowledgeError(
                    f"knowledge/mme.yaml: table {t.id!r} has a factor for unknown opioid {f.id!r}"
                )
            grouped.setdefault(f.id, []).append(f)
        tables[t.id] = {k: tuple(v) for k, v in grouped.items()}

    rules: dict[str, _Rule] = {}
    for r in alerts.alerts:
        rules[r.id] = _rule(r.code or r.id, r.severity, r.message, r.action, cite(r.citation))
    sets = {s.id: frozenset(s.values) for s in alerts.sets}
    needed_sets = {
        "naloxone-conditions", "naloxone-classes", "taper-conditions", "moud-conditions", "moud-opioids", "cancer-codes", "cancer-excluded-alerts",
        "non-opioid-medication-classes", "opioid-therapy-codes", "udt-chronicity", "first-line-chronicity",
        "steroid-procedures", "spine-regions", "systemic-routes", "kidney-cofactor-classes",
        "gabapentinoid-respiratory-conditions", "prescription-combination-classes", "triptan-avoid-conditions",
        "triptan-caution-conditions",
    }  # fmt: skip
    missing = needed_sets - sets.keys()
    if missing:
        raise KnowledgeError(f"knowledge/medication_alerts.yaml: sets missing: {sorted(missing)}")
    for h in alerts.neuraxial_holds:
        held = by_name.get(_norm(h.id, ignored))
        if held is None or not (held.has("anticoagulant") or held.has("antiplatelet")):
            raise KnowledgeError(
                f"knowledge/medication_alerts.yaml: hold {h.id!r} is not a known anticoagulant"
            )
    return MedicationKnowledge(
        drugs=drugs,
        mme=mme,
        alerts=alerts,
        by_name=by_name,
        combos=combos,
        er_names=frozenset(er_names),
        ignored=ignored,
        tables=tables,
        table_labels={t.id: t.label for t in mme.tables},
        table_citations={t.id: cite(t.citation) for t in mme.tables},
        threshold={t.id: t.value for t in alerts.thresholds},
        sets=sets,
        rules=rules,
        checks={c.id: c for c in alerts.monitoring},
        check_citations={c.id: cite(c.citation) for c in alerts.monitoring},
        holds={h.id: h for h in alerts.neuraxial_holds},
        hold_citations={h.id: cite(h.citation) for h in alerts.neuraxial_holds},
        naloxone_classes=tuple(sorted(sets["naloxone-classes"])),
    )


def _tables() -> tuple[str, ...]:
    return tuple(t.id for t in knowledge().mme.tables)


MME_TABLES: tuple[str, ...] = ("cdc-2022", "cdc-2016")


def normalize_name(name: str) -> str:
    """The lookup key of a medication name: lower case, salts and release words dropped."""
    return _norm(name, knowledge().ignored)


@functools.lru_cache(maxsize=4096)
def resolve(name: str) -> DrugInfo | Combination | None:
    """The drug or combination product a name (generic or brand, any case) stands for, else None."""
    kb = knowledge()
    key = _norm(name, kb.ignored)
    found = kb.by_name.get(key)
    if found is not None:
        return found
    combo = kb.combos.get(key)
    if combo is not None:
        return combo
    parts = key.split("-")
    if len(parts) > 1:
        # the ingredients by any of their names ("hydrocodone-apap", "oxycodone / paracetamol")
        ids = [kb.by_name[p].id if p in kb.by_name else p for p in parts]
        return kb.combos.get("-".join(sorted(ids)))
    return None


# ---------------------------------------------------------------------------------------- dose items

_TO_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}
_ER_WORDS = frozenset({"er", "xr", "cr", "sr", "la", "extended-release", "extended", "contin"})


@_fast_init
@dataclass(frozen=True, slots=True)
class DoseItem:
    """One active ingredient of one medication line, its daily amount in mg (or mcg/hr for a patch)."""

    index: int
    path: str
    name: str
    drug: DrugInfo | None
    daily: float
    unit: Literal["mg", "mcg/hr"]
    route: Route
    long_acting: bool
    prn: bool
    in_combination: bool
    start: dt.date | None
    product: str


def _is_er(med: Medication, info: DrugInfo, kb: MedicationKnowledge) -> bool:
    if med.formulation == "er" or med.unit == "mcg/hr" or info.entry.long_acting:
        return True
    raw = _plain_name(med.name, kb.ignored)
    return raw in kb.er_names or not _ER_WORDS.isdisjoint(_SPACE.split(raw))


def _check_product(index: int, product: str, ingredients: Sequence[Ingredient]) -> None:
    """A named product whose listed ingredients contradict it is refused, never counted as given: Percocet
    with hydrocodone would count the wrong opioid, Norco without its acetaminophen would under-count the
    acetaminophen total. An unknown product name is left to its ingredients."""
    found = resolve(product)
    if found is None:
        return
    listed = " + ".join(g.name for g in ingredients)
    if isinstance(found, Combination):
        expected = set(found.ingredients)
        contains = " + ".join(found.ingredients)
        given: set[str] = set()
        for j, g in enumerate(ingredients):
            part = resolve(g.name)
            if not isinstance(part, DrugInfo) or part.id not in expected:
                raise MedicationError(
                    f"medications[{index}].ingredients[{j}].name: {g.name!r} is not an ingredient of {product} "
                    f"({contains})"
                )
            given.add(part.id)
        if given != expected:
            raise MedicationError(
                f"medications[{index}].ingredients: {product} contains {contains}, but the ingredients given "
                f"are {listed}"
            )
        return
    ids = {part.id for part in (resolve(g.name) for g in ingredients) if isinstance(part, DrugInfo)}
    if found.id not in ids and len(ids) == len(ingredients):
        raise MedicationError(
            f"medications[{index}].ingredients: {product} names {found.id} alone, which is not among the "
            f"ingredients given ({listed})"
        )


def dose_items(case: Case) -> tuple[list[DoseItem], list[tuple[int, int]]]:
    """Active dose items (every ingredient of every active line) and duplicate lines (index, first index).

    Raises MedicationError for a combination product named without its ingredients' doses.
    """
    items: list[DoseItem] = []
    duplicates: list[tuple[int, int]] = []
    medications = case.medications
    if not medications:
        return items, duplicates
    kb = knowledge()
    ignored = kb.ignored
    as_of = case.as_of
    seen: dict[tuple[Any, ...], int] | None = None if len(medications) == 1 else {}  # one line: no duplicate
    append = items.append
    for i, med in enumerate(medications):
        start = med.start
        if start is not None and start > as_of:
            continue  # planned, not active
        ingredients = med.ingredients
        if seen is not None:
            key = (_norm(med.name, ignored), med.dose, med.unit, med.per_day, med.route, med.formulation, med.prn,
                   tuple((_norm(g.name, ignored), g.dose, g.unit) for g in ingredients) if ingredients else ())  # fmt: skip
            first = seen.get(key)
            if first is not None:
                duplicates.append((i, first))
                continue
            seen[key] = i
        unit = med.unit
        patch = unit == "mcg/hr"
        per_day = 1.0 if patch else float(med.per_day or 1.0)
        route: Route = "transdermal" if patch else med.route
        if not ingredients:
            found = resolve(med.name)
            if isinstance(found, Combination):
                raise MedicationError(
                    f"medications[{i}].name: {med.name} is a combination product "
                    f"({' + '.join(found.ingredients)}): give each ingredient's dose in ingredients"
                )
            dose = med.dose
            assert dose is not None and unit is not None  # the case model guarantees it
            if patch:
                daily, out_unit = dose, "mcg/hr"
            else:
                daily, out_unit = dose * _TO_MG[unit] * per_day, "mg"
            append(
                DoseItem(
                    i,
                    f"medications[{i}]",
                    found.id if found is not None else med.name,
                    found,
                    round(daily, 6),
                    out_unit,  # type: ignore[arg-type]
                    route,
                    found is not None and "opioid" in found.classes and _is_er(med, found, kb),
                    med.prn,
                    False,
                    start,
                    med.name,
                )
            )
            continue
        _check_product(i, med.name, ingredients)
        for j, g in enumerate(ingredients):
            name = g.name
            found_part = resolve(name)
            info = found_part if isinstance(found_part, DrugInfo) else None
            if g.unit == "mcg/hr":
                daily, out_unit = g.dose, "mcg/hr"
            else:
                daily, out_unit = g.dose * _TO_MG[g.unit] * per_day, "mg"
            append(
                DoseItem(
                    i,
                    f"medications[{i}].ingredients[{j}]",
                    info.id if info else name,
                    info,
                    round(daily, 6),
                    out_unit,  # type: ignore[arg-type]
                    route,
                    info is not None and "opioid" in info.classes and _is_er(med, info, kb),
                    med.prn,
                    True,
                    start,
                    med.name,
                )
            )
    return items, duplicates


# ------------------------------------------------------------------------------------------------ MME


def _check_table(table: str) -> None:
    if table in knowledge().table_labels:  # one entry per table in mme.yaml
        return
    known = _tables()
    if table not in known:
        raise ValueError(f"mme_table: unknown table {table!r}; known tables: {', '.join(known)}")


def _factor_for(
    item: DoseItem, table: str, methadone_total: float, factors: Mapping[str, tuple[Factor, ...]]
) -> tuple[Factor | None, float | None, str]:
    """The table entry and factor for an opioid item, or (None, None, why it is not covered)."""
    assert item.drug is not None
    entries = factors.get(item.drug.id)
    if not entries:
        return None, None, f"{item.path}.name: {item.drug.id} is not in the {table} MME table"
    for f in entries:
        if item.route in f.routes and (f.unit == "any" or f.unit == item.unit):
            if f.tiers:
                for tier in f.tiers:
                    if tier.up_to_mg is None or methadone_total <= tier.up_to_mg:
                        return f, tier.factor, ""
            return f, f.factor, ""
    covered = "; ".join(f"{', '.join(f.routes)} in {f.unit}" for f in entries)
    return (
        None,
        None,
        f"{item.path}.route: {item.drug.id} by the {item.route} route in {item.unit} is not in the "
        f"{table} MME table (it covers {item.drug.id} {covered})",
    )


def _compute(
    items: Sequence[DoseItem], table: str, notes: Mapping[int, str] | None
) -> tuple[Mme, list[tuple[DoseItem, str]]]:
    _check_table(table)
    kb = knowledge()
    digits = kb.mme.rounding_decimals
    opioid_items: list[DoseItem] = []
    methadone_total: float = 0  # an int 0 without methadone, like sum() of nothing
    for it in items:
        drug = it.drug
        if drug is not None and "opioid" in drug.classes:
            opioid_items.append(it)
            if drug.id == "methadone":
                methadone_total += it.daily
    if not opioid_items:
        return Mme(total=round(0, digits), table=table, items=()), []
    n = kb.mme.notes
    factors = kb.tables[table]
    out: list[MmeItem] = []
    uncovered: list[tuple[DoseItem, str]] = []
    for it in opioid_items:
        f, factor, why = _factor_for(it, table, methadone_total, factors)
        notes_here: list[str] = []
        mme = 0.0
        if f is None:
            uncovered.append((it, why))
            notes_here.append(n.uncovered.format(reason=why.split(": ", 1)[1]))
        elif f.excluded is not None:
            notes_here.append(n.excluded.format(drug=it.name, table=table, reason=f.excluded))
        else:
            assert factor is not None
            mme = round(it.daily * factor, digits)
            if it.unit == "mcg/hr":
                notes_here.append(n.patch.format(factor=factor))
            if f.tiers:
                notes_here.append(n.tiered.format(factor=factor, total=methadone_total, table=table))
        if it.prn:
            notes_here.append(n.prn)
        if notes and it.index in notes:
            notes_here.append(notes[it.index])
        out.append(
            MmeItem(
                it.name,
                round(it.daily, 3),
                it.unit,
                factor if f is not None and f.excluded is None else None,
                mme,
                "; ".join(notes_here),
            )
        )
    total = round(sum(i.mme for i in out), digits)
    return Mme(total=total, table=table, items=tuple(out)), uncovered


def compute_mme(
    items: Sequence[DoseItem], *, table: str = "cdc-2022", notes: Mapping[int, str] | None = None
) -> Mme:
    """MME/day of the opioid items by the chosen table.

    An opioid the table does not cover (tapentadol under cdc-2016, meperidine, buccal fentanyl) is
    listed with no factor and a note and adds nothing; `assess` also raises the `mme-incomplete` alert,
    so the gap is never silent. Refusing the case instead would withhold its triage.
    """
    return _compute(items, table, notes)[0]


# --------------------------------------------------------------------------------------------- alerts


def _join(names: Iterable[str]) -> str:
    if type(names) is list and len(names) == 1:  # one name: nothing to deduplicate or join
        only: str = names[0]
        return only
    seq = list(dict.fromkeys(names))
    if len(seq) <= 1:
        return "".join(seq)
    return ", ".join(seq[:-1]) + " and " + seq[-1]


def _fmt(value: float) -> str:
    return f"{value:g}"


class _Ctx:
    """What the rules need about one case, computed once."""

    def __init__(self, case: Case, items: list[DoseItem]) -> None:
        self.case = case
        self.items = items
        kb = self.kb = knowledge()
        self.conditions = frozenset(case.patient.conditions)
        by_class: dict[str, list[DoseItem]] = {}
        for it in items:
            drug = it.drug
            if drug is None:
                continue
            for cls in drug.classes:
                found = by_class.get(cls)
                if found is None:
                    by_class[cls] = [it]
                else:
                    found.append(it)
        self.by_class = by_class
        self.opioids = by_class.get("opioid", [])
        self._names: dict[tuple[str, bool], list[str]] = {}
        self._systemic = kb.sets["systemic-routes"]
        cancer_codes = kb.sets["cancer-codes"]
        self.cancer = not (
            cancer_codes.isdisjoint(self.conditions) and cancer_codes.isdisjoint(case.diagnoses)
        )

    def names(self, cls: str, *, systemic: bool = False) -> list[str]:
        """The distinct names of the active drugs of a class (a new list: callers may change it)."""
        items = self.by_class.get(cls)
        if items is None:
            return []
        if len(items) == 1 and not systemic:
            return [items[0].name]
        key = (cls, systemic)
        found = self._names.get(key)
        if found is None:
            routes = self._systemic
            found = list(dict.fromkeys(it.name for it in items if not systemic or it.route in routes))
            self._names[key] = found
        return list(found)

    def alert(self, rule_id: str, **fields: Any) -> Alert:
        rule = self.kb.rules[rule_id]
        render = rule.render_message
        if render is not None:
            message = render(fields)
        elif (template := rule.message_capitalized) is not None:
            message = template.format_map(fields)
        else:
            render = rule.render_raw
            message = render(fields) if render is not None else rule.message.format_map(fields)
            message = message[:1].upper() + message[1:]
        action = rule.action_fixed
        if action is None:
            render = rule.render_action
            action = render(fields) if render is not None else rule.action.format_map(fields)
        return Alert(rule.code, rule.severity, message, rule.citation, action)

    def phrase(self, key: str, **fields: Any) -> str:
        return self.kb.alerts.phrases[key].format_map(fields)


def _opioid_alerts(ctx: _Ctx, mme: Mme, out: list[Alert]) -> None:
    kb = ctx.kb
    case = ctx.case
    t = kb.threshold
    opioids = _join([it.name for it in ctx.opioids])
    adult = case.patient.age >= t["cdc-min-age"]
    cancer = ctx.cancer
    benzos = ctx.names("benzodiazepine")
    if benzos:
        out.append(ctx.alert("benzodiazepine-opioid", benzodiazepines=_join(benzos), opioids=opioids))
    gabas = ctx.names("gabapentinoid")
    depressants = [n for n in ctx.names("cns-depressant") if n not in benzos and n not in gabas]
    if depressants:
        out.append(ctx.alert("cns-depressant-opioid", depressants=_join(depressants), opioids=opioids))
    if gabas:
        out.append(ctx.alert("gabapentinoid-opioid", gabapentinoids=_join(gabas), opioids=opioids))
    if not adult:
        return
    table = kb.table_labels[mme.table]
    if mme.total >= t["mme-high"]:
        out.append(ctx.alert("mme-90", total=mme.total, table=table, threshold=t["mme-high"]))
    elif mme.total >= t["mme-caution"]:
        out.append(ctx.alert("mme-50", total=mme.total, table=table, threshold=t["mme-caution"]))

    # naloxone
    rescue = False
    for it in ctx.items:
        if it.drug is not None and it.drug.id == "naloxone" and not it.in_combination:
            rescue = True
            break
    if not rescue and case.monitoring.naloxone_dispensed is None:
        reasons: list[str] = []
        if mme.total >= t["mme-caution"]:
            reasons.append(ctx.phrase("naloxone-mme", total=mme.total, threshold=t["mme-caution"]))
        by_class = ctx.by_class
        concurrent = [n for cls in kb.naloxone_classes if cls in by_class for n in ctx.names(cls)]
        if concurrent:
            reasons.append(ctx.phrase("naloxone-class", drugs=_join(concurrent)))
        naloxone_conditions = kb.sets["naloxone-conditions"]
        for cond in case.patient.conditions:
            if cond in naloxone_conditions:
                reasons.append(ctx.phrase(f"condition-{cond}"))
        if reasons:
            out.append(ctx.alert("naloxone-offer", opioids=opioids, reasons=_join(reasons)))

    chron = chronicity.classify(case)
    er = [it.name for it in ctx.opioids if it.long_acting]
    if chron == "acute" and er:
        out.append(ctx.alert("opioid-er-acute", drugs=_join(er), days=case.duration_days))

    if chron in kb.sets["first-line-chronicity"] and not cancer:
        tried = False  # a non-opioid therapy or a non-opioid medicine (alone, not in a combination)
        opioid_therapies = kb.sets["opioid-therapy-codes"]
        for th in case.therapies:
            if th.code not in opioid_therapies:
                tried = True
                break
        if not tried:
            non_opioid = kb.sets["non-opioid-medication-classes"]
            for it in ctx.items:
                drug = it.drug
                if not it.in_combination and drug is not None and not non_opioid.isdisjoint(drug.classes):
                    tried = True
                    break
        if not tried:
            out.append(ctx.alert("opioid-first-line", opioids=opioids, chronicity=chron))

    pdmp = kb.checks["pdmp"]
    assert pdmp.interval_days is not None
    last = case.monitoring.pdmp_reviewed
    if last is None:
        out.append(ctx.alert("pdmp-review-never", opioids=opioids, interval=pdmp.interval_days))
    elif (case.as_of - last).days > pdmp.interval_days:
        due = last + dt.timedelta(days=pdmp.interval_days)
        out.append(
            ctx.alert("pdmp-review-overdue", opioids=opioids, interval=pdmp.interval_days,
                      last=last.isoformat(), due=due.isoformat())
        )  # fmt: skip

    long_days = t["long-term-opioid-days"]
    long_term = chron in kb.sets["udt-chronicity"]
    if not long_term:
        as_of = case.as_of
        for it in ctx.opioids:
            start = it.start
            if start is not None and (as_of - start).days >= long_days:
                long_term = True
                break
    if long_term:
        udt = kb.checks["urine-drug-test"]
        assert udt.interval_days is not None
        last = case.monitoring.urine_drug_test
        if last is None:
            out.append(ctx.alert("urine-drug-test-never", opioids=opioids))
        elif (case.as_of - last).days > udt.interval_days:
            out.append(
                ctx.alert(
                    "urine-drug-test-overdue",
                    opioids=opioids,
                    last=last.isoformat(),
                    interval=udt.interval_days,
                )
            )

    moud = not kb.sets["moud-conditions"].isdisjoint(case.patient.conditions) and all(
        it.drug is not None and it.drug.id in kb.sets["moud-opioids"] for it in ctx.opioids
    )
    if not cancer and not moud:
        reasons = []
        if mme.total >= t["mme-high"]:
            reasons.append(ctx.phrase("taper-mme", total=mme.total, threshold=t["mme-high"]))
        if benzos:
            reasons.append(ctx.phrase("taper-benzodiazepine", drugs=_join(benzos)))
        for cond in case.patient.conditions:
            if cond in kb.sets["taper-conditions"]:
                reasons.append(ctx.phrase(f"condition-{cond}"))
        if reasons:
            out.append(ctx.alert("taper-consider", opioids=opioids, reasons=_join(reasons)))


def _gabapentinoid_alerts(ctx: _Ctx, out: list[Alert]) -> None:
    """FDA 2019: gabapentinoids with respiratory risk factors other than an opioid (that pair has its own
    alert): another CNS depressant, COPD, older age."""
    gabas = ctx.names("gabapentinoid")
    if not gabas:
        return
    kb = ctx.kb
    factors: list[str] = []
    depressants = [n for n in ctx.names("cns-depressant") if n not in gabas]
    depressants.extend(n for n in ctx.names("benzodiazepine") if n not in depressants)
    if depressants:
        factors.append(ctx.phrase("gaba-depressant", drugs=_join(depressants)))
    if not kb.sets["gabapentinoid-respiratory-conditions"].isdisjoint(ctx.conditions):
        factors.append(ctx.phrase("gaba-copd"))
    age = ctx.case.patient.age
    threshold = kb.threshold["gabapentinoid-respiratory-age"]
    if age >= threshold:
        factors.append(ctx.phrase("gaba-age", age=age, threshold=threshold))
    if factors:
        out.append(
            ctx.alert("gabapentinoid-respiratory", gabapentinoids=_join(gabas), factors=_join(factors))
        )


def _triptan_alerts(ctx: _Ctx, out: list[Alert]) -> None:
    """condition-pathways 3.18 (AHS 2021, S): triptans are avoided in coronary or peripheral vascular
    disease and in uncontrolled hypertension."""
    triptans = ctx.names("triptan")
    if not triptans:
        return
    sets = ctx.kb.sets
    avoid = [c for c in ctx.case.patient.conditions if c in sets["triptan-avoid-conditions"]]
    if avoid:
        conditions = _join(ctx.phrase(f"triptan-{c}") for c in avoid)
        out.append(ctx.alert("triptan-cardiovascular", triptans=_join(triptans), conditions=conditions))
    elif not sets["triptan-caution-conditions"].isdisjoint(ctx.conditions):
        out.append(ctx.alert("triptan-hypertension", triptans=_join(triptans)))


def _acetaminophen_alerts(ctx: _Ctx, out: list[Alert]) -> None:
    items = ctx.by_class.get("acetaminophen", [])
    if not items:
        return
    t = ctx.kb.threshold
    total = round(sum(it.daily for it in items), 1)
    patient = ctx.case.patient
    if patient.liver_disease == "severe":
        ceiling, reason = t["acetaminophen-ceiling-severe-liver-mg"], ctx.phrase("liver-severe")
    elif patient.liver_disease == "mild":
        ceiling, reason = t["acetaminophen-ceiling-mild-liver-mg"], ctx.phrase("liver-mild")
    elif "alcohol-use-disorder" in ctx.conditions:
        ceiling, reason = t["acetaminophen-ceiling-mild-liver-mg"], ctx.phrase("liver-alcohol")
    else:
        ceiling, reason = t["acetaminophen-ceiling-mg"], ctx.phrase("liver-none")
    products = _join(it.product for it in items)
    limit = t["acetaminophen-combination-unit-mg"]
    rx_classes = ctx.kb.sets["prescription-combination-classes"]
    rx_lines = {
        it.index
        for it in ctx.items
        if it.in_combination and it.drug is not None and not rx_classes.isdisjoint(it.drug.classes)
    }
    for it in items:
        if it.in_combination and it.index in rx_lines:
            per_day = ctx.case.medications[it.index].per_day or 1.0
            dose = round(it.daily / per_day, 1)
            if dose > limit:
                out.append(
                    ctx.alert(
                        "acetaminophen-combination-strength", product=it.product, dose=dose, limit=limit
                    )
                )
    if total > ceiling:
        out.append(
            ctx.alert(
                "acetaminophen-max-dose", total=total, ceiling=ceiling, reason=reason, products=products
            )
        )
    elif total >= ceiling * t["acetaminophen-approaching-fraction"]:
        percent = round(100 * total / ceiling)
        out.append(
            ctx.alert("acetaminophen-approaching", total=total, ceiling=ceiling, reason=reason, products=products,
                      percent=percent)
        )  # fmt: skip


def _nsaid_alerts(ctx: _Ctx, out: list[Alert]) -> None:
    nsaid_list = ctx.names("nsaid", systemic=True)
    if not nsaid_list:
        return
    kb = ctx.kb
    t = kb.threshold
    case = ctx.case
    nsaids = _join(nsaid_list)
    agents = ctx.names("anticoagulant") + ctx.names("antiplatelet")
    if agents:
        out.append(ctx.alert("nsaid-anticoagulant", nsaids=nsaids, agents=_join(agents)))

    egfr = case.patient.egfr
    reasons: list[str] = []
    if egfr is not None and egfr < t["nsaid-egfr-caution"]:
        reasons.append(ctx.phrase("kidney-egfr", egfr=egfr))
    if "ckd" in ctx.conditions:
        reasons.append(ctx.phrase("kidney-ckd"))
    cofactors = {cls: ctx.names(cls) for cls in kb.sets["kidney-cofactor-classes"]}
    if cofactors.get("diuretic") and (cofactors.get("ace-inhibitor") or cofactors.get("arb")):
        drugs = [n for cls in ("ace-inhibitor", "arb", "diuretic") for n in cofactors.get(cls, [])]
        reasons.append(ctx.phrase("kidney-triple", drugs=_join(drugs)))
    if reasons:
        if egfr is not None and egfr < t["nsaid-egfr-avoid"]:
            out.append(
                ctx.alert(
                    "nsaid-kidney-avoid",
                    nsaids=nsaids,
                    reasons=_join(reasons),
                    threshold=t["nsaid-egfr-avoid"],
                )
            )
        else:
            out.append(ctx.alert("nsaid-kidney", nsaids=nsaids, reasons=_join(reasons)))

    history = [
        ctx.phrase(f"gi-history-{c}")
        for c in case.patient.conditions
        if c in ("peptic-ulcer", "gi-bleed-history")
    ]
    factors = list(history)
    if case.patient.age >= t["nsaid-gi-age"]:
        factors.append(ctx.phrase("gi-age", age=case.patient.age, threshold=t["nsaid-gi-age"]))
    steroids = ctx.names("corticosteroid", systemic=True)
    if steroids:
        factors.append(ctx.phrase("gi-steroid", drugs=_join(steroids)))
    ssris = ctx.names("ssri") + ctx.names("snri")
    if ssris:
        factors.append(ctx.phrase("gi-ssri", drugs=_join(ssris)))
    if len(nsaid_list) > 1:
        factors.append(ctx.phrase("gi-two-nsaids"))
    ppis = ctx.names("ppi")
    if history or (factors and not ppis):
        protection = ctx.phrase("gi-protected", drugs=_join(ppis)) if ppis else ctx.phrase("gi-unprotected")
        out.append(ctx.alert("nsaid-gi-risk", nsaids=nsaids, factors=_join(factors), protection=protection))

    cv = [
        ctx.phrase(f"cv-{c}")
        for c in case.patient.conditions
        if c in ("cardiovascular-disease", "heart-failure")
    ]
    if cv:
        out.append(ctx.alert("nsaid-cardiovascular", nsaids=nsaids, conditions=_join(cv)))
    if case.patient.pregnant or "pregnancy" in ctx.conditions:
        out.append(ctx.alert("nsaid-pregnancy", nsaids=nsaids))


def _serotonin_alerts(ctx: _Ctx, out: list[Alert]) -> None:
    drugs = ctx.names("serotonergic")
    if len(drugs) < 2:
        return
    maois = ctx.names("maoi")
    if maois:
        others = [d for d in drugs if d not in maois]
        out.append(
            ctx.alert("serotonin-syndrome-maoi", maois=_join(maois), others=_join(others or maois[1:]))
        )
    else:
        out.append(ctx.alert("serotonin-syndrome", drugs=_join(drugs)))


def _steroid_source(ctx: _Ctx) -> str | None:
    steroids = ctx.names("corticosteroid", systemic=True)
    if steroids:
        return ctx.phrase("steroid-medication", drugs=_join(steroids))
    window = ctx.kb.threshold["steroid-glucose-days"]
    for p in sorted(ctx.case.procedures, key=lambda p: p.date, reverse=True):
        if p.code in ctx.kb.sets["steroid-procedures"] and (ctx.case.as_of - p.date).days <= window:
            return ctx.phrase("steroid-procedure", procedure=p.code, date=p.date.isoformat())
    return None


def steroid_injection_glucose_alert(case: Case, *, planned: bool = False) -> Alert | None:
    """The steroid-glucose alert for a patient with diabetes, or None.

    With `planned=True` (for the plan and procedure code proposing a steroid injection) the alert is
    given for any patient with diabetes; otherwise only for an active systemic corticosteroid or a
    steroid procedure within the monitoring window.
    """
    if "diabetes" not in case.patient.conditions:
        return None
    items, _ = dose_items(case)
    ctx = _Ctx(case, items)
    source = _steroid_source(ctx)
    if source is None and planned:
        source = ctx.phrase("steroid-planned")
    if source is None:
        return None
    return ctx.alert("steroid-glucose", source=source, days=ctx.kb.threshold["steroid-glucose-days"])


def _neuraxial(ctx: _Ctx) -> list[dict[str, Any]]:
    kb = ctx.kb
    out: list[dict[str, Any]] = []
    for name in ctx.names("anticoagulant") + ctx.names("antiplatelet"):
        hold = kb.holds.get(name)
        out.append(
            {
                "drug": name,
                "hold_days": hold.days if hold else None,
                "text": hold.text if hold else None,
                "evidence": hold.evidence if hold else "unverified",
                "citation": kb.hold_citations[name] if hold else kb.rules["anticoagulant-neuraxial"].citation,
            }
        )
    return out


def neuraxial_hold(case: Case) -> list[dict[str, Any]]:
    """Hold times before a neuraxial procedure for each active anticoagulant/antiplatelet (unverified)."""
    items, _ = dose_items(case)
    return _neuraxial(_Ctx(case, items))


def _drug_dose_alerts(ctx: _Ctx, out: list[Alert]) -> None:
    patient = ctx.case.patient
    totals: dict[str, tuple[DrugInfo, float]] = {}
    for it in ctx.items:
        if it.drug is not None and it.unit == "mg":
            info, prev = totals.get(it.name, (it.drug, 0.0))
            totals[it.name] = (info, prev + it.daily)
    for name, (info, daily) in totals.items():
        d = info.entry
        if d.avoid_liver_disease and patient.liver_disease in d.avoid_liver_disease:
            out.append(ctx.alert("hepatic-avoid", drug=name, liver=patient.liver_disease))
        renal_fired = False
        if d.renal and patient.egfr is not None:
            band = next(b for b in d.renal if patient.egfr >= b.egfr_from)
            if band.avoid:
                out.append(ctx.alert("renal-avoid", drug=name, egfr=patient.egfr, band=d.renal[0].egfr_from))
                renal_fired = True
            elif band.max_daily_mg is not None and daily > band.max_daily_mg and band is not d.renal[0]:
                out.append(
                    ctx.alert("renal-dose-adjust", drug=name, daily=round(daily, 1), max=band.max_daily_mg,
                              egfr=patient.egfr, band=band.egfr_from)
                )  # fmt: skip
                renal_fired = True
        if not renal_fired and d.max_daily_mg is not None and daily > d.max_daily_mg:
            out.append(ctx.alert("dose-above-maximum", drug=name, daily=round(daily, 1), max=d.max_daily_mg))


def assess(case: Case, *, table: str = "cdc-2022") -> tuple[Mme, list[Alert]]:
    """MME by `table` and every medication alert for the case's active medications.

    Raises ValueError for an unknown table and MedicationError for an unreadable line (both name the
    field). An opioid the table cannot convert is listed with a note and the `mme-incomplete` alert.
    """
    _check_table(table)
    kb = knowledge()
    items, duplicates = dose_items(case)
    if not items:  # nothing active (so no duplicate either): only a steroid procedure can raise an alert
        mme = Mme(total=round(0, kb.mme.rounding_decimals), table=table, items=())
        if "diabetes" not in case.patient.conditions:
            return mme, []
        ctx = _Ctx(case, items)
        source = _steroid_source(ctx)
        if source is None:
            return mme, []
        return mme, [ctx.alert("steroid-glucose", source=source, days=kb.threshold["steroid-glucose-days"])]
    notes = {first: kb.mme.notes.duplicate for _, first in duplicates} if duplicates else None
    mme, uncovered = _compute(items, table, notes)
    ctx = _Ctx(case, items)
    out: list[Alert] = []
    for it in items:
        if it.drug is None:
            out.append(ctx.alert("unrecognized-medication", name=it.name, path=it.path))
    for it, why in uncovered:
        out.append(ctx.alert("mme-incomplete", total=mme.total, table=table, drug=it.name, reason=why))
    for i, first in duplicates:
        name = case.medications[i].name
        out.append(
            ctx.alert("duplicate-medication", name=name, paths=f"medications[{first}], medications[{i}]")
        )
    if ctx.opioids:
        opioid_alerts: list[Alert] = []
        _opioid_alerts(ctx, mme, opioid_alerts)
        if ctx.cancer:
            # CDC 2022 does not cover cancer-pain treatment: keep the interaction alerts, drop its dosing prompts.
            opioid_alerts = [a for a in opioid_alerts if a.code not in kb.sets["cancer-excluded-alerts"]]
        out.extend(opioid_alerts)
    _gabapentinoid_alerts(ctx, out)
    _triptan_alerts(ctx, out)
    _acetaminophen_alerts(ctx, out)
    _nsaid_alerts(ctx, out)
    _serotonin_alerts(ctx, out)
    _drug_dose_alerts(ctx, out)
    if "diabetes" in ctx.conditions:
        source = _steroid_source(ctx)
        if source is not None:
            out.append(ctx.alert("steroid-glucose", source=source, days=kb.threshold["steroid-glucose-days"]))
    spine = kb.sets["spine-regions"]
    if any(s.region in spine for s in case.pain.sites):
        holds = _neuraxial(ctx)
        if holds:
            text = "; ".join(
                ctx.phrase("hold", drug=h["drug"], text=h["text"])
                if h["text"]
                else ctx.phrase("hold-unknown", drug=h["drug"])
                for h in holds
            )
            out.append(ctx.alert("anticoagulant-neuraxial", holds=text))
    return mme, out


# ----------------------------------------------------------------------------------------- monitoring


@_fast_init
@dataclass(frozen=True, slots=True)
class _Status:
    check: str
    label: str
    last: dt.date | None
    due: dt.date | None
    status: Literal["ok", "due", "overdue"]
    citation: str
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "label": self.label,
            "last": self.last.isoformat() if self.last else None,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "citation": self.citation,
            "note": self.note,
        }


def _status(as_of: dt.date, due: dt.date | None, soon: int) -> Literal["ok", "due", "overdue"]:
    if due is None:
        return "ok"
    if as_of > due:
        return "overdue"
    if as_of >= due - dt.timedelta(days=soon):
        return "due"
    return "ok"


def monitoring_status(case: Case) -> list[dict[str, Any]]:
    """Opioid-stewardship checks (PDMP, urine test, agreement, naloxone, reassessment) with due dates.

    Empty when no opioid is active: these checks belong to opioid therapy. A check never recorded is
    `due` today.
    """
    items, _ = dose_items(case)
    opioids = [it for it in items if it.drug is not None and it.drug.has("opioid")]
    if not opioids:
        return []
    kb = knowledge()
    soon = kb.alerts.due_soon_days
    as_of = case.as_of
    mon = case.monitoring
    out: list[_Status] = []

    def periodic(check_id: str, last: dt.date | None) -> None:
        check = kb.checks[check_id]
        if last is None:
            out.append(
                _Status(
                    check_id, check.label, None, as_of, "due", kb.check_citations[check_id], check.note or ""
                )
            )
            return
        due = last + dt.timedelta(days=check.interval_days) if check.interval_days else None
        out.append(
            _Status(
                check_id,
                check.label,
                last,
                due,
                _status(as_of, due, soon),
                kb.check_citations[check_id],
                check.note or "",
            )
        )

    periodic("pdmp", mon.pdmp_reviewed)
    periodic("urine-drug-test", mon.urine_drug_test)
    periodic("treatment-agreement", mon.treatment_agreement)
    rescue = any(it.drug is not None and it.drug.id == "naloxone" and not it.in_combination for it in items)
    check = kb.checks["naloxone"]
    if rescue:
        out.append(
            _Status(
                "naloxone",
                check.label,
                mon.naloxone_dispensed,
                None,
                "ok",
                kb.check_citations["naloxone"],
                check.note or "",
            )
        )
    else:
        periodic("naloxone", mon.naloxone_dispensed)

    check = kb.checks["opioid-reassessment"]
    assert check.first_within_days is not None and check.interval_days is not None
    starts = [it.start for it in opioids if it.start is not None]
    latest_start = max(starts) if starts else None
    last = mon.opioid_reassessed
    if last is not None and (latest_start is None or last >= latest_start):
        due: dt.date | None = last + dt.timedelta(days=check.interval_days)
    elif latest_start is not None:
        due = latest_start + dt.timedelta(days=check.first_within_days)
    else:
        due = as_of
    out.append(
        _Status("opioid-reassessment", check.label, last, due, _status(as_of, due, soon),
                kb.check_citations["opioid-reassessment"], check.note or "")
    )  # fmt: skip
    return [s.to_dict() for s in out]
