"""The pain mechanism (IASP terms): nociceptive, neuropathic, nociplastic, or mixed (knowledge/mechanism.yaml).

Evidence for each mechanism comes from the leading differential items' usual mechanisms (weighted by their
scores) and from mechanism rules over the case's own features. `mixed` when a second mechanism carries
at least `mixed_ratio` of the leading one's evidence; None when there is nothing to go on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from stepcare.clinical import differential
from stepcare.clinical.case import Case
from stepcare.clinical.features import Clause, Facts, Predicate, compile_clause, compile_feature, facts
from stepcare.clinical.knowledge import Entry, KnowledgeFile, load
from stepcare.clinical.result import DifferentialItem
from stepcare.clinical.vocab import Mechanism

__all__ = ["MechanismFile", "classify", "contributions", "knowledge"]

BaseMechanism = Literal["nociceptive", "neuropathic", "nociplastic"]
_BASES: tuple[BaseMechanism, ...] = ("nociceptive", "neuropathic", "nociplastic")


class Settings(Entry):
    id: Literal["settings"]
    differential_top_n: int = Field(ge=0)
    differential_min_score: float = Field(ge=0, le=1)
    differential_weight: float = Field(ge=0)
    min_total: float = Field(gt=0)
    mixed_ratio: float = Field(gt=0, le=1)
    mixed_min: float = Field(ge=0)


class Rule(Entry, Clause):
    mechanism: BaseMechanism
    weight: float = Field(gt=0)
    label: str = Field(min_length=3)


class MechanismFile(KnowledgeFile):
    settings: Settings
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class _Rule:
    mechanism: BaseMechanism
    weight: float
    test: Predicate


@functools.cache
def knowledge() -> MechanismFile:
    return load("mechanism.yaml", MechanismFile)


@functools.cache
def _rules() -> tuple[_Rule, ...]:
    out = []
    for i, r in enumerate(knowledge().rules):
        test, _ = compile_clause(r, f"knowledge/mechanism.yaml: rules[{i}] (entry {r.id!r})")
        out.append(_Rule(r.mechanism, r.weight, test))
    return tuple(out)


_Totals = Callable[[Facts, float, float, float], tuple[float, float, float]]


@functools.cache
def _prepared() -> tuple[Settings, Mapping[str, tuple[tuple[int, float], ...]], _Totals]:
    """Settings; each condition's profile as (base index, differential weight x profile weight) in profile
    order; and the rules as one call adding their weights, in file order, to the three bases' totals."""
    s = knowledge().settings
    profiles = {
        code: tuple((_BASES.index(mech), weight) for mech, weight in profile)
        for code, profile in differential.mechanism_profiles().items()
    }
    env: dict[str, Any] = {}
    lines = ["def totals(f, t0, t1, t2):", "    S = f.sets", "    N = f.numbers", "    B = f.flags"]
    for i, (rule, compiled) in enumerate(zip(knowledge().rules, _rules(), strict=True)):
        env[f"weight{i}"] = compiled.weight
        lines.append(f"    if {_expr(rule, env)}: t{_BASES.index(compiled.mechanism)} += weight{i}")
    lines.append("    return t0, t1, t2")
    exec(compile("\n".join(lines) + "\n", "<stepcare:mechanism>", "exec"), env)  # noqa: S102
    return s, profiles, env["totals"]


def _expr(clause: Clause, env: dict[str, Any]) -> str:
    """A rule's condition as one expression, testing its features in the order its own test does (all,
    then any, then none; each part stopping at its first decisive feature). `_rules` has checked it."""
    where = "knowledge/mechanism.yaml"
    parts = [compile_feature(x, where).expr(env) for x in clause.all]
    if clause.any:
        exprs = [compile_feature(x, where).expr(env) for x in clause.any]
        if clause.min_any == 1:
            parts.append(f"({' or '.join(exprs)})")
        else:
            parts.append(f"({' + '.join(f'(1 if {e} else 0)' for e in exprs)} >= {int(clause.min_any)})")
    if clause.none:
        parts.append(f"not ({' or '.join(compile_feature(x, where).expr(env) for x in clause.none)})")
    return f"({' and '.join(parts)})"


def _has_pain_information(case: Case, ranked: Sequence[DifferentialItem]) -> bool:
    p = case.pain
    return bool(
        ranked
        or p.sites
        or p.radiation
        or p.qualities
        or p.symptoms
        or p.worse_with
        or p.better_with
        or p.nrs is not None
        or p.headache_days_per_month
    )


def contributions(case: Case, ranked: Sequence[DifferentialItem]) -> dict[BaseMechanism, float]:
    """Evidence per base mechanism, from the differential's leaders and the case's features."""
    return dict(zip(_BASES, _totals(case, ranked), strict=True))


def _totals(case: Case, ranked: Sequence[DifferentialItem]) -> tuple[float, float, float]:
    s, profiles, by_rules = _prepared()
    t = [0.0, 0.0, 0.0]
    top_n = s.differential_top_n
    min_score = s.differential_min_score
    scale = s.differential_weight
    for item in ranked[:top_n] if len(ranked) > top_n else ranked:
        score = item.score
        if score < min_score:
            continue
        for base, weight in profiles.get(item.code, ()):
            t[base] += scale * score * weight
    return by_rules(facts(case), t[0], t[1], t[2])


def classify(case: Case, ranked: Sequence[DifferentialItem]) -> Mechanism | None:
    """The leading mechanism, `mixed` when a second one contributes substantially, None without evidence."""
    if not _has_pain_information(case, ranked):
        return None
    s = _prepared()[0]
    t0, t1, t2 = _totals(case, ranked)
    # the leader and the runner-up, ties going to the earlier base (nociceptive, neuropathic, nociplastic)
    if t0 >= t1:
        if t0 >= t2:
            lead_i, lead, second = 0, t0, (t1 if t1 >= t2 else t2)
        else:
            lead_i, lead, second = 2, t2, t0
    elif t1 >= t2:
        lead_i, lead, second = 1, t1, (t0 if t0 >= t2 else t2)
    else:
        lead_i, lead, second = 2, t2, t1
    if lead < s.min_total:
        return None
    if second >= s.mixed_min and second >= s.mixed_ratio * lead:
        return "mixed"
    return _BASES[lead_i]
