"""The block diary: peak relief, how long it lasted, and whether that fits the anaesthetic used."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepcare.clinical import blocks

MBB = "medial-branch-block"


def test_lidocaine_mbb_with_relief_for_an_hour_is_positive_and_concordant() -> None:
    r = blocks.block_relief(
        8, [(0.25, 1), (0.5, 1), (1, 1), (2, 2), (4, 7)], anaesthetic="lidocaine", block=MBB
    )
    assert r.peak_relief_percent == 87.5
    assert r.peak_at_hours == 0.25
    assert r.hours_at_least_80 == 1
    assert r.hours_at_least_50 == 2
    assert r.threshold_percent == 80
    assert r.hours_at_threshold == 1
    assert r.positive
    assert r.concordance == "concordant"
    assert r.concordant
    assert r.expected_hours == (1, 3)
    assert "Medicare LCD L38773" in r.citation


def test_lidocaine_relief_lasting_eight_hours_is_longer_than_expected() -> None:
    r = blocks.block_relief(
        6, [(0.5, 0), (1, 0), (2, 0), (4, 1), (8, 1), (12, 5)], anaesthetic="lidocaine", block=MBB
    )
    assert r.hours_at_threshold == 8
    assert r.concordance == "longer-than-expected"
    assert not r.concordant


def test_bupivacaine_relief_gone_after_an_hour_is_shorter_than_expected() -> None:
    r = blocks.block_relief(10, [(0.25, 1), (1, 2), (2, 8), (4, 9)], anaesthetic="bupivacaine", block=MBB)
    assert r.hours_at_threshold == 1
    assert r.concordance == "shorter-than-expected"


def test_exactly_80_percent_counts_for_an_mbb_and_79_does_not() -> None:
    at = blocks.block_relief(10, [(0.5, 2), (1, 2), (2, 9)], anaesthetic="lidocaine", block=MBB)
    below = blocks.block_relief(10, [(0.5, 2.1), (1, 2.1), (2, 9)], anaesthetic="lidocaine", block=MBB)
    assert at.positive
    assert at.peak_relief_percent == 80
    assert not below.positive
    assert below.peak_relief_percent == 79
    assert below.concordance == "no-response"
    assert below.hours_at_least_50 == 1


def test_the_same_relief_is_positive_for_a_block_type_with_a_50_percent_threshold() -> None:
    r = blocks.block_relief(
        10, [(0.5, 3), (1, 3), (2, 9)], anaesthetic="lidocaine", block="genicular-nerve-block"
    )
    assert r.threshold_percent == 50
    assert r.positive
    assert r.concordance == "concordant"


def test_relief_still_present_at_the_last_reading_is_an_incomplete_diary_not_a_short_block() -> None:
    r = blocks.block_relief(8, [(0.25, 1), (0.5, 1), (1, 1)], anaesthetic="bupivacaine", block=MBB)
    assert r.concordance == "incomplete-diary"


def test_relief_counts_only_for_the_first_unbroken_run() -> None:
    r = blocks.block_relief(10, [(0.25, 1), (0.5, 9), (1, 1), (2, 1)], anaesthetic="lidocaine")
    assert r.hours_at_least_80 == 0.25
    assert r.peak_relief_percent == 90


def test_worse_pain_after_the_block_gives_no_relief_and_no_peak_time() -> None:
    r = blocks.block_relief(5, [(0.5, 6), (1, 7)], anaesthetic="lidocaine")
    assert r.peak_relief_percent == 0
    assert r.peak_at_hours is None
    assert r.concordance == "no-response"


def test_comparative_blocks_are_concordant_when_bupivacaine_outlasts_lidocaine() -> None:
    lido = blocks.block_relief(8, [(0.5, 1), (1, 1), (2, 7)], anaesthetic="lidocaine", block=MBB)
    bupi = blocks.block_relief(
        8, [(0.5, 1), (1, 1), (2, 1), (4, 1), (6, 7)], anaesthetic="bupivacaine", block=MBB
    )
    assert blocks.comparative(lido, bupi) == "concordant"
    long_lido = blocks.block_relief(8, [(0.5, 1), (4, 1), (6, 1), (8, 7)], anaesthetic="lidocaine", block=MBB)
    assert blocks.comparative(long_lido, bupi) == "discordant"
    failed = blocks.block_relief(8, [(0.5, 6)], anaesthetic="bupivacaine", block=MBB)
    assert blocks.comparative(lido, failed) == "negative"


def test_diary_time_points_come_from_the_knowledge_file_per_block_type() -> None:
    assert blocks.schedule(MBB) == (0.25, 0.5, 1, 2, 4, 6, 8)
    assert blocks.schedule("occipital-nerve-block") == (0.25, 0.5, 1, 2, 4, 8)
    assert blocks.schedule() == blocks.schedule("facet-rfa")


@pytest.mark.parametrize(
    ("pre", "readings", "anaesthetic", "message"),
    [
        (0, [(1, 0)], "lidocaine", "pre: must be above 0"),
        (11, [(1, 0)], "lidocaine", "pre: must be above 0 and at most 10"),
        (8, [], "lidocaine", "readings: at least one"),
        (8, [(0, 2)], "lidocaine", r"readings\[0\]: hours must be after the block"),
        (8, [(1, 2), (2, 11)], "lidocaine", r"readings\[1\]: nrs must be 0-10"),
        (8, [(1, 2), (1, 3)], "lidocaine", "two readings at the same time"),
        (8, [(1, 2)], "procaine", "anaesthetic: unknown 'procaine'"),
    ],
)
def test_bad_diary_input_is_an_error_naming_the_argument(
    pre: float, readings: list[tuple[float, float]], anaesthetic: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        blocks.block_relief(pre, readings, anaesthetic=anaesthetic)


def test_an_unknown_block_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="block: no diary schedule for 'facet-rfa'"):
        blocks.block_relief(8, [(1, 2)], anaesthetic="lidocaine", block="facet-rfa")


@given(
    pre=st.integers(min_value=1, max_value=10),
    scores=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=7),
)
def test_relief_is_bounded_and_any_80_percent_run_implies_a_50_percent_run(
    pre: int, scores: list[int]
) -> None:
    times = [0.25, 0.5, 1, 2, 4, 6, 8][: len(scores)]
    r = blocks.block_relief(pre, list(zip(times, scores, strict=True)), anaesthetic="bupivacaine")
    assert 0 <= r.peak_relief_percent <= 100
    if r.hours_at_least_80 > 0:
        assert r.hours_at_least_50 > 0
    assert r.positive == (r.peak_relief_percent >= r.threshold_percent)
    assert r.to_dict()["concordant"] == (r.concordance == "concordant")
