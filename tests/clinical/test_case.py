"""Case validation: every fault is refused with its field path (engine contract, "Case (input)")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from stepcare.clinical import CaseError, parse_case

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example-case.json"


def _errors(data: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as exc:
        parse_case(data)
    return exc.value.errors


def _minimal(**extra: Any) -> dict[str, Any]:
    return {"as_of": "2026-11-24", "patient": {"age": 40}, **extra}


def test_minimal_case_is_valid_and_defaults_are_empty() -> None:
    case = parse_case(_minimal())
    assert case.patient.age == 40
    assert case.medications == ()
    assert case.duration_days is None


def test_duration_days_comes_from_onset_else_the_given_days_and_is_never_dumped() -> None:
    from_onset = parse_case(_minimal(pain={"onset": "2026-10-25"}))
    given = parse_case(_minimal(pain={"duration_days": 12}))
    assert from_onset.duration_days == 30
    assert given.duration_days == 12
    assert "duration_days" not in from_onset.model_dump()
    assert parse_case(_minimal(pain={"onset": "2026-10-25"})) == from_onset


def test_a_copied_case_works_its_duration_out_from_its_own_dates() -> None:
    case = parse_case(_minimal(pain={"onset": "2026-10-25"}))
    assert case.model_copy(update={"as_of": dt.date(2026, 11, 4)}).duration_days == 10
    later = case.model_copy(update={"pain": case.pain.model_copy(update={"onset": None, "duration_days": 3})})
    assert later.duration_days == 3
    assert case.duration_days == 30


@pytest.mark.skipif(not EXAMPLE.exists(), reason="shared/spec is not beside the project")
def test_the_contract_example_case_is_valid() -> None:
    case = parse_case(json.loads(EXAMPLE.read_text()))
    assert case.id == "example-1"
    assert case.exam.dermatomal_sensory_loss is True
    assert case.medications[1].ingredients[0].name == "tramadol"


def test_unknown_top_level_key_is_named() -> None:
    assert _errors(_minimal(medication=[])) == ["medication: unknown key"]


def test_unknown_nested_key_is_named_with_its_path() -> None:
    assert _errors(_minimal(pain={"nrs": 3, "sitez": []})) == ["pain.sitez: unknown key"]


def test_impossible_age_names_the_field() -> None:
    errors = _errors({"patient": {"age": 250}})
    assert len(errors) == 1
    assert errors[0].startswith("patient.age: ")
    assert "120" in errors[0]


def test_nrs_above_ten_is_refused() -> None:
    errors = _errors(_minimal(pain={"nrs": 11}))
    assert errors[0].startswith("pain.nrs: ")


def test_unknown_code_in_a_list_names_the_index() -> None:
    errors = _errors(_minimal(pain={"sites": [{"region": "low-back"}, {"region": "lowback"}]}))
    assert errors == ["pain.sites[1].region: unknown code 'lowback'"]


def test_unknown_exam_finding_is_refused_and_kebab_keys_are_required() -> None:
    assert _errors(_minimal(exam={"slr_positive": "left"})) == ["exam.slr_positive: unknown key"]
    assert parse_case(_minimal(exam={"slr-positive": "left"})).exam.slr_positive == "left"


def test_future_onset_is_refused() -> None:
    errors = _errors(_minimal(pain={"onset": "2027-01-01"}))
    assert errors == ["pain.onset: 2027-01-01 is after as_of 2026-11-24"]


def test_future_dates_in_lists_name_the_item() -> None:
    errors = _errors(
        _minimal(events=[{"kind": "injury", "date": "2026-01-01"}, {"kind": "surgery", "date": "2026-12-01"}])
    )
    assert errors == ["events[1].date: 2026-12-01 is after as_of 2026-11-24"]


def test_medication_without_dose_names_the_field() -> None:
    errors = _errors(_minimal(medications=[{"name": "oxycodone", "unit": "mg", "per_day": 4}]))
    assert errors == ["medications[0].dose: required (or give ingredients for a combination product)"]


def test_medication_dose_must_be_positive() -> None:
    errors = _errors(_minimal(medications=[{"name": "oxycodone", "dose": 0, "unit": "mg", "per_day": 4}]))
    assert errors[0].startswith("medications[0].dose: ")


def test_combination_product_with_dose_and_ingredients_is_refused() -> None:
    med = {
        "name": "hydrocodone-acetaminophen",
        "dose": 10,
        "unit": "mg",
        "per_day": 4,
        "ingredients": [{"name": "hydrocodone", "dose": 10, "unit": "mg"}],
    }
    assert _errors(_minimal(medications=[med])) == [
        "medications[0]: give either dose/unit or ingredients, not both"
    ]


def test_patch_needs_no_per_day() -> None:
    case = parse_case(
        _minimal(medications=[{"name": "fentanyl", "dose": 25, "unit": "mcg/hr", "route": "transdermal"}])
    )
    assert case.medications[0].is_patch


def test_onset_and_duration_that_disagree_are_refused() -> None:
    errors = _errors(_minimal(pain={"onset": "2026-11-01", "duration_days": 100}))
    assert errors[0].startswith("pain.duration_days: 100 disagrees with pain.onset")


def test_several_faults_are_all_reported() -> None:
    errors = _errors({"patient": {"age": -1, "sex": "f"}, "pain": {"nrs": 12}})
    assert len(errors) == 3
    assert {e.split(":")[0] for e in errors} == {"patient.age", "patient.sex", "pain.nrs"}


def test_a_non_object_case_is_refused() -> None:
    with pytest.raises(CaseError, match="must be a JSON object"):
        parse_case([1, 2])  # type: ignore[arg-type]


def test_wrong_types_name_the_field() -> None:
    errors = _errors(_minimal(red_flags="fever"))
    assert errors[0].startswith("red_flags")


def test_questionnaire_answers_must_be_real_integers_not_strings_or_booleans() -> None:
    errors = _errors(_minimal(questionnaires=[{"instrument": "peg", "items": ["3", True, 2]}]))
    assert errors == [
        "questionnaires[0].items[0]: input should be a valid integer",
        "questionnaires[0].items[1]: input should be a valid integer",
    ]


@pytest.mark.parametrize(
    ("path", "case"),
    [
        ("patient.age", {"patient": {"age": True}}),
        ("patient.age", {"patient": {"age": "52"}}),
        ("patient.egfr", {"patient": {"age": 52, "egfr": "45"}}),
        ("patient.pregnant", {"patient": {"age": 30, "pregnant": "yes"}}),
        ("pain.nrs", {"patient": {"age": 52}, "pain": {"nrs": "7"}}),
        ("exam.allodynia", {"patient": {"age": 52}, "exam": {"allodynia": 1}}),
        ("medications[0].dose", {"patient": {"age": 52},
                                 "medications": [{"name": "oxycodone", "dose": True, "unit": "mg", "per_day": 2}]}),
        ("therapies[0].completed", {"patient": {"age": 52},
                                    "therapies": [{"code": "physical-therapy", "weeks": 6, "completed": "true"}]}),
    ],
)  # fmt: skip
def test_numbers_and_yes_no_answers_of_the_wrong_json_type_are_refused_naming_the_field(
    path: str, case: dict[str, Any]
) -> None:
    """`"age": true` must not become age 1, nor `"nrs": "7"` a pain score: a typed-in typo is an error."""
    with pytest.raises(CaseError) as info:
        parse_case(case)
    assert any(e.startswith(f"{path}:") for e in info.value.errors), info.value.errors


def test_a_whole_number_is_accepted_where_a_decimal_is_expected() -> None:
    case = parse_case(
        {
            "patient": {"age": 52, "egfr": 60},
            "medications": [{"name": "oxycodone", "dose": 5, "unit": "mg", "per_day": 4}],
        }
    )
    assert (
        case.patient.egfr == 60.0 and case.medications[0].dose == 5.0 and case.medications[0].per_day == 4.0
    )
