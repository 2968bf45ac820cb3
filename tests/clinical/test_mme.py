"""MME by the versioned CDC tables: worked examples, every opioid and route, table differences, errors."""

from __future__ import annotations

import pytest
from builders import case, med

from stepcare.clinical import medications
from stepcare.clinical.medications import MedicationError


def mme(*meds: dict[str, object], table: str = "cdc-2022") -> medications.Mme:  # type: ignore[name-defined]
    return medications.assess(case(*meds), table=table)[0]


def combo(
    opioid: str, opioid_mg: float, apap_mg: float, per_day: float, **extra: object
) -> dict[str, object]:
    return {
        "name": f"{opioid}-acetaminophen",
        "ingredients": [
            {"name": opioid, "dose": opioid_mg, "unit": "mg"},
            {"name": "acetaminophen", "dose": apap_mg, "unit": "mg"},
        ],
        "per_day": per_day,
        **extra,
    }


BOTH = ("cdc-2022", "cdc-2016")


@pytest.mark.parametrize("table", BOTH)
def test_oxycodone_10_mg_four_times_a_day_is_60(table: str) -> None:
    result = mme(med("oxycodone", 10, per_day=4), table=table)
    assert result.total == 60
    assert result.items[0].daily_dose == 40 and result.items[0].factor == 1.5


@pytest.mark.parametrize("table", BOTH)
def test_oxycodone_er_30_mg_twice_a_day_is_90(table: str) -> None:
    assert mme(med("oxycodone", 30, per_day=2, formulation="er"), table=table).total == 90


@pytest.mark.parametrize("table", BOTH)
def test_oxycodone_er_10_mg_twice_a_day_is_30(table: str) -> None:
    assert mme(med("OxyContin", 10, per_day=2), table=table).total == 30


@pytest.mark.parametrize(("rate", "expected"), [(25, 60), (37.5, 90), (75, 180), (12.5, 30)])
@pytest.mark.parametrize("table", BOTH)
def test_fentanyl_patch_is_2_4_per_mcg_per_hour_whatever_the_change_interval(
    table: str, rate: float, expected: float
) -> None:
    result = mme(med("fentanyl", rate, unit="mcg/hr", route="transdermal"), table=table)
    assert result.total == expected
    assert result.items[0].unit == "mcg/hr"
    assert "whatever the change interval" in result.items[0].note


def test_a_patch_given_per_day_ignores_it_and_mcg_per_hour_implies_transdermal() -> None:
    result = mme(med("fentanyl", 25, unit="mcg/hr", per_day=None))
    assert result.total == 60


@pytest.mark.parametrize("table", BOTH)
def test_hydrocodone_5_with_acetaminophen_325_four_times_a_day_is_20(table: str) -> None:
    result = mme(combo("hydrocodone", 5, 325, 4), table=table)
    assert result.total == 20
    assert [i.name for i in result.items] == ["hydrocodone"]


def test_methadone_60_mg_a_day_is_282_in_2022_and_600_in_2016() -> None:
    regimen = med("methadone", 20, per_day=3)
    assert mme(regimen).total == 282
    assert mme(regimen).items[0].factor == 4.7
    assert mme(regimen, table="cdc-2016").total == 600


@pytest.mark.parametrize(
    ("daily", "factor"),
    [(20, 4), (21, 8), (40, 8), (41, 10), (60, 10), (61, 12), (100, 12)],
)
def test_methadone_2016_factor_steps_up_by_total_daily_dose(daily: float, factor: float) -> None:
    result = mme(med("methadone", daily), table="cdc-2016")
    assert result.items[0].factor == factor
    assert result.total == daily * factor
    assert "dose tiers" in result.items[0].note


def test_methadone_2016_tier_uses_the_total_of_all_methadone_lines() -> None:
    result = mme(med("methadone", 15), med("methadone", 5, per_day=3), table="cdc-2016")
    assert [i.factor for i in result.items] == [8, 8]
    assert result.total == 240


@pytest.mark.parametrize(
    ("drug", "dose", "per_day", "mme_2022", "mme_2016"),
    [
        ("codeine", 30, 6, 27, 27),
        ("hydrocodone", 10, 4, 40, 40),
        ("hydromorphone", 2, 6, 60, 48),
        ("morphine", 15, 4, 60, 60),
        ("oxymorphone", 5, 4, 60, 60),
        ("tramadol", 50, 4, 40, 20),
    ],
)
def test_every_oral_opioid_in_both_tables(
    drug: str, dose: float, per_day: float, mme_2022: float, mme_2016: float
) -> None:
    assert mme(med(drug, dose, per_day=per_day)).total == mme_2022
    assert mme(med(drug, dose, per_day=per_day), table="cdc-2016").total == mme_2016


def test_tapentadol_is_0_4_in_2022() -> None:
    assert mme(med("Nucynta", 50, per_day=4)).total == 80


def uncovered(*meds: dict[str, object], table: str = "cdc-2022") -> tuple[medications.Mme, list[str]]:  # type: ignore[name-defined]
    result, alerts = medications.assess(case(*meds), table=table)
    return result, [a.message for a in alerts if a.code == "mme-incomplete"]


def test_tapentadol_under_2016_is_listed_with_a_note_and_a_high_alert_naming_the_field_and_table() -> None:
    result, messages = uncovered(
        med("ibuprofen", 400, per_day=3),
        med("tapentadol", 50, per_day=4),
        med("morphine", 10, per_day=2),
        table="cdc-2016",
    )
    tap = result.items[0]
    assert (tap.name, tap.factor, tap.mme) == ("tapentadol", None, 0)
    assert (
        tap.note == "tapentadol is not in the cdc-2016 MME table: MME not estimated, the total leaves it out"
    )
    assert result.total == 20
    assert messages == [
        "The MME total (20 MME/day, cdc-2016) leaves out tapentadol: medications[1].name: tapentadol is not in the cdc-2016 MME table."
    ]
    assert [
        a.severity
        for a in medications.assess(case(med("tapentadol", 50)), table="cdc-2016")[1]
        if a.code == "mme-incomplete"
    ] == ["high"]


def test_an_uncovered_ingredient_names_the_ingredient_path() -> None:
    bad = {
        "name": "x",
        "ingredients": [
            {"name": "tapentadol", "dose": 50, "unit": "mg"},
            {"name": "acetaminophen", "dose": 325, "unit": "mg"},
        ],
        "per_day": 2,
    }
    _, messages = uncovered(bad, table="cdc-2016")
    assert "medications[0].ingredients[0].name: tapentadol is not in the cdc-2016 MME table" in messages[0]


def test_buccal_fentanyl_is_not_in_the_2022_table_and_the_alert_names_the_route() -> None:
    result, messages = uncovered(med("Fentora", 100, unit="mcg", per_day=2, route="buccal"))
    assert result.total == 0 and result.items[0].factor is None
    assert "medications[0].route: fentanyl by the buccal route" in messages[0]


def test_meperidine_is_known_but_in_neither_table() -> None:
    for table in BOTH:
        result, messages = uncovered(med("demerol", 50, per_day=4), table=table)
        assert result.items[0].name == "meperidine" and result.items[0].mme == 0
        assert f"meperidine is not in the {table} MME table" in messages[0]


@pytest.mark.parametrize("table", BOTH)
def test_buprenorphine_is_listed_with_no_factor_and_adds_nothing(table: str) -> None:
    result = mme(
        med("buprenorphine", 10, unit="mcg/hr", route="transdermal"),
        med("morphine", 10, per_day=2),
        table=table,
    )
    bup = result.items[0]
    assert (bup.name, bup.factor, bup.mme) == ("buprenorphine", None, 0)
    assert "partial agonist" in bup.note and table in bup.note
    assert result.total == 20


def test_as_needed_counts_the_most_allowed_per_day_and_says_so() -> None:
    result = mme(med("oxycodone", 5, per_day=6, prn=True))
    assert result.total == 45
    assert result.items[0].note == "as-needed: counted at the most allowed per day"


def test_a_mixed_regimen_sums_every_opioid_and_ingredient() -> None:
    result = mme(
        med("oxycodone", 20, per_day=2, formulation="er"),
        combo("hydrocodone", 10, 325, 3, prn=True),
        med("fentanyl", 12.5, unit="mcg/hr"),
        med("gabapentin", 300, per_day=3),
    )
    assert [i.mme for i in result.items] == [60, 30, 30]
    assert result.total == 120


def test_mme_is_rounded_to_one_decimal() -> None:
    assert mme(med("oxycodone", 7.5, per_day=3)).total == 33.8


def test_grams_and_micrograms_are_converted_to_milligrams() -> None:
    assert mme(med("morphine", 0.03, unit="g", per_day=2)).total == 60
    assert mme(med("hydromorphone", 2000, unit="mcg", per_day=3)).total == 30


def test_no_medications_gives_zero_and_names_the_table() -> None:
    result = mme()
    assert (result.total, result.table, result.items) == (0, "cdc-2022", ())
    assert mme(table="cdc-2016").table == "cdc-2016"


def test_an_unknown_table_is_an_error_naming_it_and_the_known_tables() -> None:
    with pytest.raises(ValueError, match=r"unknown table 'cdc-2019'; known tables: cdc-2022, cdc-2016"):
        mme(table="cdc-2019")


def test_the_declared_tables_match_the_knowledge_file() -> None:
    assert medications.MME_TABLES == ("cdc-2022", "cdc-2016")
    assert tuple(t.id for t in medications.knowledge().mme.tables) == medications.MME_TABLES


def test_a_planned_medication_is_not_counted() -> None:
    planned = med("morphine", 30, per_day=2, start="2026-12-01")
    assert mme(planned).total == 0


def test_a_duplicated_line_is_counted_once_and_reported() -> None:
    line = med("oxycodone", 10, per_day=4)
    result, alerts = medications.assess(case(line, line))
    assert result.total == 60
    assert "counted once" in result.items[0].note
    dup = [a for a in alerts if a.code == "duplicate-medication"]
    assert len(dup) == 1 and "medications[0], medications[1]" in dup[0].message


def test_a_combination_named_without_ingredients_is_an_error() -> None:
    with pytest.raises(
        MedicationError,
        match=r"medications\[0\]\.name: Percocet is a combination product \(oxycodone \+ acetaminophen\)",
    ):
        mme(med("Percocet", 5, per_day=4))


@pytest.mark.parametrize("name", ["OXYCODONE", "Oxycodone Hydrochloride", "roxicodone", " oxycodone HCl "])
def test_names_are_matched_case_insensitively_with_salts_ignored(name: str) -> None:
    assert mme(med(name, 10, per_day=4)).total == 60


def test_an_unknown_medicine_is_never_a_silent_zero() -> None:
    result, alerts = medications.assess(case(med("oxycodeine", 10, per_day=4)))
    assert result.total == 0
    unknown = [a for a in alerts if a.code == "unrecognized-medication"]
    assert len(unknown) == 1
    assert '"oxycodeine" (medications[0])' in unknown[0].message
    assert "MME" in unknown[0].message and "could not be made" in unknown[0].message
