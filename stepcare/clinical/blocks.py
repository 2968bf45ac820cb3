"""The diagnostic-block diary: relief after a local-anaesthetic block, judged against the agent's duration.

A diagnostic block counts only when the relief is large enough *and* lasts about as long as the
anaesthetic acts (Medicare L38773: "duration of relief consistent with the agent used"); relief far
outlasting lidocaine, or vanishing before bupivacaine wears off, suggests a placebo or a missed target.
Time points, thresholds and expected durations are in knowledge/procedures.yaml.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from stepcare.clinical.knowledge import cite
from stepcare.clinical.procedures import Anaesthetic, DiarySchedule, knowledge

__all__ = ["BlockResult", "Concordance", "block_relief", "comparative", "schedule"]

Concordance = Literal[
    "concordant", "shorter-than-expected", "longer-than-expected", "no-response", "incomplete-diary"
]

_NRS_MAX = 10.0


@dataclass(frozen=True, slots=True)
class BlockResult:
    """Peak relief, how long each level of relief lasted, and whether that fits the anaesthetic.

    Durations are hours from the block to the last diary reading of the first unbroken run at or above
    the level: a lower bound, since relief may have lasted until the next reading.
    """

    block: str
    anaesthetic: str
    pre: float
    peak_relief_percent: float
    peak_at_hours: float | None
    hours_at_least_50: float
    hours_at_least_80: float
    threshold_percent: float
    hours_at_threshold: float
    positive: bool
    expected_hours: tuple[float, float]
    concordance: Concordance
    citation: str

    @property
    def concordant(self) -> bool:
        return self.concordance == "concordant"

    def to_dict(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "anaesthetic": self.anaesthetic,
            "pre": self.pre,
            "peak_relief_percent": self.peak_relief_percent,
            "peak_at_hours": self.peak_at_hours,
            "hours_at_least_50": self.hours_at_least_50,
            "hours_at_least_80": self.hours_at_least_80,
            "threshold_percent": self.threshold_percent,
            "hours_at_threshold": self.hours_at_threshold,
            "positive": self.positive,
            "expected_hours": list(self.expected_hours),
            "concordance": self.concordance,
            "concordant": self.concordant,
            "citation": self.citation,
        }


@functools.cache
def _tables() -> tuple[dict[str, Anaesthetic], dict[str, DiarySchedule]]:
    kb = knowledge()
    return {a.id: a for a in kb.anaesthetics}, {d.id: d for d in kb.diary}


def schedule(block: str | None = None) -> tuple[float, ...]:
    """The diary time points (hours after the block) for a block type, else the default schedule."""
    diaries = _tables()[1]
    return diaries.get(block or "default", diaries["default"]).times_hours


def _run_hours(points: Sequence[tuple[float, float]], level: float) -> tuple[float, bool]:
    """Hours to the last reading of the first run at >= level, and whether that run reached the diary's end."""
    last = 0.0
    started = False
    for i, (hours, relief) in enumerate(points):
        if relief >= level:
            started = True
            last = hours
            if i == len(points) - 1:
                return last, True
        elif started:
            return last, False
    return last, False


def block_relief(
    pre: float,
    readings: Sequence[tuple[float, float]],
    *,
    anaesthetic: str,
    block: str | None = None,
) -> BlockResult:
    """Percent relief over the diary: peak, durations at 50% and 80%, concordance with the anaesthetic.

    `pre` is the pain score (NRS 0-10) just before the block; `readings` are (hours after, NRS) pairs.
    Raises ValueError naming the faulty argument.
    """
    agents, diaries = _tables()
    agent = agents.get(anaesthetic)
    if agent is None:
        raise ValueError(f"anaesthetic: unknown {anaesthetic!r} (known: {', '.join(sorted(agents))})")
    diary = diaries.get(block or "default")
    if diary is None:
        raise ValueError(f"block: no diary schedule for {block!r} (known: {', '.join(sorted(diaries))})")
    if not 0 < pre <= _NRS_MAX:
        raise ValueError(f"pre: must be above 0 and at most {_NRS_MAX:g} (no pain means nothing to relieve)")
    if not readings:
        raise ValueError("readings: at least one (hours, nrs) reading is needed")
    ordered = sorted(readings)
    for i, (hours, nrs) in enumerate(ordered):
        if hours <= 0:
            raise ValueError(f"readings[{i}]: hours must be after the block (> 0), got {hours:g}")
        if not 0 <= nrs <= _NRS_MAX:
            raise ValueError(f"readings[{i}]: nrs must be 0-{_NRS_MAX:g}, got {nrs:g}")
    if len({h for h, _ in ordered}) != len(ordered):
        raise ValueError("readings: two readings at the same time")

    points = [(h, round((pre - nrs) / pre * 100, 1)) for h, nrs in ordered]
    peak_hours, peak = max(points, key=lambda p: (p[1], -p[0]))
    at50, _ = _run_hours(points, 50)
    at80, _ = _run_hours(points, 80)
    at_thr, censored = _run_hours(points, diary.threshold_percent)
    positive = peak >= diary.threshold_percent
    concordance: Concordance
    if not positive:
        concordance = "no-response"
    elif at_thr > agent.max_hours:
        concordance = "longer-than-expected"
    elif at_thr < agent.min_hours:
        concordance = "incomplete-diary" if censored else "shorter-than-expected"
    else:
        concordance = "concordant"
    return BlockResult(
        block=diary.id,
        anaesthetic=agent.id,
        pre=pre,
        peak_relief_percent=max(peak, 0.0),
        peak_at_hours=peak_hours if peak > 0 else None,
        hours_at_least_50=at50,
        hours_at_least_80=at80,
        threshold_percent=diary.threshold_percent,
        hours_at_threshold=at_thr,
        positive=positive,
        expected_hours=(agent.min_hours, agent.max_hours),
        concordance=concordance,
        citation=cite(dict.fromkeys((*diary.citation, *agent.citation))),
    )


def comparative(first: BlockResult, second: BlockResult) -> Literal["concordant", "discordant", "negative"]:
    """Two blocks with different agents: concordant when both respond and the long-acting one lasts longer."""
    if not (first.positive and second.positive):
        return "negative"
    agents = _tables()[0]
    a, b = agents[first.anaesthetic], agents[second.anaesthetic]
    if a.action == b.action:
        return "concordant" if first.concordant and second.concordant else "discordant"
    short, long_ = (first, second) if a.action == "short" else (second, first)
    return "concordant" if short.hours_at_threshold < long_.hours_at_threshold else "discordant"
