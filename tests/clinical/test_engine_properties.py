"""Invariants of stepcare.evaluate() over arbitrary valid cases, and refusal of invalid ones (hypothesis).

The strategy builds cases from the contract's vocabularies only, so any failure here is an engine fault on
input a clinic could send, not a quirk of the generator.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, get_args

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import stepcare
from stepcare.clinical import CaseError, parse_case
from stepcare.clinical import vocab as v

AS_OF = dt.date(2026, 11, 24)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Instruments whose item counts and answer ranges are fixed by the references (CF §1.1).
INSTRUMENTS: dict[str, tuple[int, int, int]] = {
    "peg": (3, 0, 10),
    "phq9": (9, 0, 3),
    "gad7": (7, 0, 3),
    "phq2": (2, 0, 3),
    "gad2": (2, 0, 3),
}

# name -> (unit, lowest dose, highest dose, is an opioid); per_day comes separately (patches ignore it).
MEDICINES: dict[str, tuple[str, float, float, bool]] = {
    "oxycodone": ("mg", 2.5, 40, True),
    "morphine": ("mg", 5, 60, True),
    "hydrocodone": ("mg", 5, 20, True),
    "hydromorphone": ("mg", 1, 8, True),
    "oxymorphone": ("mg", 5, 20, True),
    "codeine": ("mg", 15, 60, True),
    "tramadol": ("mg", 25, 100, True),
    "tapentadol": ("mg", 50, 100, True),
    "methadone": ("mg", 2.5, 40, True),
    "acetaminophen": ("mg", 325, 1000, False),
    "ibuprofen": ("mg", 200, 800, False),
    "naproxen": ("mg", 250, 500, False),
    "celecoxib": ("mg", 100, 200, False),
    "gabapentin": ("mg", 100, 800, False),
    "pregabalin": ("mg", 25, 300, False),
    "duloxetine": ("mg", 20, 60, False),
    "amitriptyline": ("mg", 10, 50, False),
    "sertraline": ("mg", 25, 100, False),
    "lorazepam": ("mg", 0.5, 2, False),
    "cyclobenzaprine": ("mg", 5, 10, False),
    "apixaban": ("mg", 2.5, 5, False),
    "sumatriptan": ("mg", 25, 100, False),
    "carbamazepine": ("mg", 100, 400, False),
    "zorbifenac": ("mg", 1, 50, False),  # unknown to any knowledge base: must be reported, not crash
    "meperidine": ("mg", 25, 100, True),  # an opioid in neither CDC table: listed with a note, not refused
}
# Opioids a conversion table does not cover (CF §2.3; the contract: listed with no factor and a note).
UNCOVERED = {"cdc-2022": {"meperidine"}, "cdc-2016": {"meperidine", "tapentadol"}}
PATCHES: dict[str, tuple[float, float]] = {"fentanyl": (12, 100), "buprenorphine": (5, 20)}
OPIOIDS = {name for name, spec in MEDICINES.items() if spec[3]} | set(PATCHES)


def _subset(options: tuple[str, ...], max_size: int = 4) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(options), max_size=max_size, unique=True)


def _date_before(as_of: dt.date, max_days: int = 4000) -> st.SearchStrategy[str]:
    return st.integers(0, max_days).map(lambda d: (as_of - dt.timedelta(days=d)).isoformat())


WORDS = st.text(alphabet="abcdefghij klmnop-", min_size=1, max_size=30).filter(lambda s: s.strip() != "")


@st.composite
def medications(draw: st.DrawFn, as_of: dt.date, *, uncovered: bool = False) -> dict[str, Any]:
    kind = draw(st.sampled_from(["plain", "plain", "plain", "patch", "combination"]))
    common: dict[str, Any] = {"prn": draw(st.booleans())}
    if draw(st.booleans()):
        common["start"] = draw(_date_before(as_of, 1000))
    if kind == "patch":
        name = draw(st.sampled_from(sorted(PATCHES)))
        lo, hi = PATCHES[name]
        dose = draw(st.integers(int(lo), int(hi)))
        return {
            "name": name,
            "dose": dose,
            "unit": "mcg/hr",
            "route": "transdermal",
            "formulation": "er",
            **common,
        }
    if kind == "combination":
        opioid = draw(st.sampled_from(["hydrocodone", "oxycodone", "codeine", "tramadol"]))
        return {
            "name": f"{opioid}-acetaminophen",
            "ingredients": [
                {"name": opioid, "dose": draw(st.sampled_from([5, 7.5, 10, 30, 37.5])), "unit": "mg"},
                {"name": "acetaminophen", "dose": 325, "unit": "mg"},
            ],
            "per_day": draw(st.integers(1, 8)),
            "route": "oral",
            **common,
        }
    names = sorted(MEDICINES) if uncovered else sorted(set(MEDICINES) - UNCOVERED["cdc-2022"])
    name = draw(st.sampled_from(names))
    unit, lo, hi, _ = MEDICINES[name]
    return {
        "name": name,
        "dose": draw(st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 1))),
        "unit": unit,
        "per_day": draw(st.integers(1, 6)),
        "route": "oral",
        "formulation": draw(st.sampled_from(["ir", "er"])),
        **common,
    }


@st.composite
def exams(draw: st.DrawFn) -> dict[str, Any]:
    options: dict[str, st.SearchStrategy[Any]] = {
        "slr-positive": st.sampled_from(["left", "right", "bilateral"]),
        "weakness": st.lists(WORDS, max_size=2),
        "si-provocation-positive": st.integers(0, 6),
        "wpi": st.integers(0, 19),
        "sss": st.integers(0, 12),
        "generalized-pain-regions": st.integers(0, 5),
        **{
            key: st.booleans()
            for key in (
                "dermatomal-sensory-loss",
                "reflex-loss",
                "facet-loading-positive",
                "allodynia",
                "hyperalgesia",
                "temperature-asymmetry",
                "color-change",
                "edema",
                "sweating-change",
                "trophic-change",
                "motor-dysfunction",
                "trigger-points",
                "trigger-zone",
            )
        },
    }
    keys = draw(st.lists(st.sampled_from(sorted(options)), max_size=8, unique=True))
    return {key: draw(options[key]) for key in keys}


@st.composite
def cases(draw: st.DrawFn, *, opioids: bool = True, uncovered: bool = False) -> dict[str, Any]:
    """An arbitrary case that the contract says is valid."""
    as_of = draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
    before = lambda days=4000: _date_before(as_of, days)  # noqa: E731
    patient: dict[str, Any] = {
        "age": draw(st.integers(0, 120)),
        "sex": draw(st.sampled_from(get_args(v.Sex))),
        "pregnant": draw(st.booleans()),
        "liver_disease": draw(st.sampled_from(get_args(v.LiverDisease))),
        "conditions": draw(_subset(get_args(v.Condition), 5)),
    }
    if draw(st.booleans()):
        patient["egfr"] = draw(st.floats(0, 200, allow_nan=False).map(lambda x: round(x, 1)))
    pain: dict[str, Any] = {
        "sites": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"region": st.sampled_from(get_args(v.Region))},
                    optional={"side": st.sampled_from(get_args(v.Side))},
                ),
                max_size=3,
            )
        ),
        "radiation": draw(_subset(get_args(v.Radiation))),
        "qualities": draw(_subset(get_args(v.Quality))),
        "symptoms": draw(_subset(get_args(v.Symptom), 6)),
        "worse_with": draw(_subset(get_args(v.Modifier))),
        "better_with": draw(_subset(get_args(v.Modifier))),
    }
    onset = draw(st.sampled_from(["onset", "duration", "none"]))
    if onset == "onset":
        pain["onset"] = draw(before())
    elif onset == "duration":
        pain["duration_days"] = draw(st.integers(0, 4000))
    if draw(st.booleans()):
        pain["nrs"] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        pain["headache_days_per_month"] = draw(st.integers(0, 31))
    if draw(st.booleans()):
        pain["narrative"] = draw(st.text(max_size=60))

    med_strategy = medications(as_of, uncovered=uncovered)
    if not opioids:
        med_strategy = med_strategy.filter(lambda m: m["name"] not in OPIOIDS and not m.get("ingredients"))
    case: dict[str, Any] = {
        "id": draw(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9-]{0,19}\Z")),
        "as_of": as_of.isoformat(),
        "patient": patient,
        "pain": pain,
        "red_flags": draw(_subset(get_args(v.RedFlag), 3)),
        "exam": draw(exams()),
        "events": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"kind": st.sampled_from(get_args(v.EventKind)), "date": before()},
                    optional={"region": st.sampled_from(get_args(v.Region)), "text": WORDS},
                ),
                max_size=2,
            )
        ),
        "questionnaires": [
            {
                "instrument": name,
                "date": draw(before(400)),
                "items": draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n)),
            }
            for name in draw(_subset(tuple(INSTRUMENTS), 3))
            for n, lo, hi in [INSTRUMENTS[name]]
        ],
        "medications": draw(st.lists(med_strategy, max_size=4)),
        "procedures": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"code": st.sampled_from(get_args(v.StepCode)), "date": before(1500)},
                    optional={
                        "region": st.sampled_from(get_args(v.Region)),
                        "side": st.sampled_from(get_args(v.Side)),
                        "relief_percent": st.integers(0, 100),
                        "relief_hours": st.integers(0, 5000),
                        "function_improved": st.booleans(),
                    },
                ),
                max_size=3,
            )
        ),
        "imaging": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "modality": st.sampled_from(get_args(v.Modality)),
                        "date": before(1500),
                        "findings": _subset(get_args(v.ImagingFinding), 3),
                    },
                    optional={
                        "region": st.sampled_from(get_args(v.Region)),
                        "side": st.sampled_from(get_args(v.Side)),
                    },
                ),
                max_size=2,
            )
        ),
        "therapies": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"code": st.sampled_from(get_args(v.StepCode))},
                    optional={
                        "weeks": st.integers(0, 52),
                        "completed": st.booleans(),
                        "response": st.sampled_from(get_args(v.TherapyResponse)),
                    },
                ),
                max_size=4,
            )
        ),
        "diagnoses": draw(_subset(get_args(v.DiagnosisCode), 2)),
        "goals": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"kind": st.sampled_from(get_args(v.GoalKind)), "text": WORDS},
                    optional={
                        "measure": st.sampled_from(["peg", "walk-minutes"]),
                        "target": st.integers(0, 100),
                    },
                ),
                max_size=2,
            )
        ),
        "history": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "date": before(1000),
                        "instrument": st.sampled_from(["peg", "nrs", "phq9", "gad7", "odi"]),
                        "score": st.integers(0, 27),
                    }
                ),
                max_size=4,
            )
        ),
    }
    if draw(st.booleans()):
        case["psych_evaluation"] = {"date": draw(before(800)), "cleared": draw(st.booleans())}
    if draw(st.booleans()):
        case["monitoring"] = {
            key: draw(before(800))
            for key in draw(
                _subset(
                    (
                        "pdmp_reviewed",
                        "urine_drug_test",
                        "treatment_agreement",
                        "opioid_reassessed",
                        "naloxone_dispensed",
                    )
                )
            )
        }
    return case


def _evaluate(case: dict[str, Any], mme_table: str = "cdc-2022") -> dict[str, Any]:
    return stepcare.evaluate(case, mme_table=mme_table).to_dict()


# --- properties of every evaluation --------------------------------------------------------------------


@SETTINGS
@given(cases())
def test_every_valid_case_evaluates_deterministically_to_json(case: dict[str, Any]) -> None:
    out = _evaluate(case)
    assert out == _evaluate(json.loads(json.dumps(case))), "same input, different evaluation"
    assert json.loads(json.dumps(out)) == out, "the evaluation is not plain JSON"
    assert out["id"] == case["id"]
    assert out["as_of"] == case["as_of"]
    assert isinstance(out["knowledge_version"], str) and out["knowledge_version"].strip()
    assert out["triage"]["level"] in get_args(v.TriageLevel)
    assert out["chronicity"] in (*get_args(v.Chronicity), None)
    assert out["mechanism"] in (*get_args(v.Mechanism), None)


@SETTINGS
@given(cases(), st.sampled_from(["cdc-2022", "cdc-2016"]))
def test_json_ready_writes_the_same_json_as_to_dict(case: dict[str, Any], table: str) -> None:
    evaluation = stepcare.evaluate(case, mme_table=table)
    assert orjson.dumps(evaluation.json_ready()) == orjson.dumps(evaluation.to_dict())


@SETTINGS
@given(cases())
def test_the_plan_is_numbered_from_one_and_its_tiers_never_decrease(case: dict[str, Any]) -> None:
    plan = _evaluate(case)["plan"]
    assert [p["order"] for p in plan] == list(range(1, len(plan) + 1))
    tiers = [p["tier"] for p in plan if p["tier"] not in ("referral", "diagnostic")]
    assert tiers == sorted(tiers), f"tiers decrease along the plan: {[(p['code'], p['tier']) for p in plan]}"
    for step in plan:
        assert step["code"] in v.STEP_CODES
        assert step["tier"] in get_args(v.Tier)
        assert step["label"].strip(), step


@SETTINGS
@given(cases())
def test_every_step_alert_differential_item_verdict_and_triage_cites_a_source(case: dict[str, Any]) -> None:
    out = _evaluate(case)
    cited = [
        *(("plan", p["code"], p["citation"]) for p in out["plan"]),
        *(("alert", a["code"], a["citation"]) for a in out["alerts"]),
        *(("differential", d["code"], d["citation"]) for d in out["differential"]),
        *(("eligibility", k, e["citation"]) for k, e in out["eligibility"].items()),
        ("triage", out["triage"]["level"], out["triage"]["citation"]),
    ]
    uncited = [
        (kind, code) for kind, code, citation in cited if not (isinstance(citation, str) and citation.strip())
    ]
    assert not uncited, f"no citation on {uncited}"
    for alert in out["alerts"]:
        assert alert["severity"] in get_args(v.Severity)
        assert alert["message"].strip(), alert


@SETTINGS
@given(cases())
def test_the_differential_puts_confirmed_diagnoses_first_then_ranks_by_score(case: dict[str, Any]) -> None:
    diff = _evaluate(case)["differential"]
    codes = [d["code"] for d in diff]
    assert len(codes) == len(set(codes)), f"a condition appears twice: {codes}"
    assert set(codes) <= set(v.DIAGNOSIS_CODES)
    for d in diff:
        assert 0.0 <= d["score"] <= 1.0, d
    flags = [d["confirmed"] for d in diff]
    assert flags == sorted(flags, reverse=True), f"a confirmed diagnosis follows an unconfirmed one: {codes}"
    assert {d["code"] for d in diff if d["confirmed"]} == set(case["diagnoses"])
    unconfirmed = [d["score"] for d in diff if not d["confirmed"]]
    assert unconfirmed == sorted(unconfirmed, reverse=True), f"not ranked by score: {diff}"


@SETTINGS
@given(cases(), st.sampled_from(["cdc-2022", "cdc-2016"]))
def test_the_mme_total_is_the_sum_of_its_items(case: dict[str, Any], table: str) -> None:
    assume(not {m["name"] for m in case["medications"]} & UNCOVERED[table])  # covered by the tests below
    mme = _evaluate(case, table)["mme"]
    assert mme["table"] == table
    assert abs(mme["total"] - sum(i["mme"] for i in mme["items"])) <= 0.05, mme
    for item in mme["items"]:
        assert item["mme"] >= 0
        if item["factor"] is None:
            assert item["mme"] == 0 and item["note"].strip(), f"an excluded opioid needs a note: {item}"


@SETTINGS
@given(cases(opioids=False))
def test_the_mme_total_is_zero_without_an_opioid(case: dict[str, Any]) -> None:
    out = _evaluate(case)
    assert out["mme"]["total"] == 0
    assert not {"mme-50", "mme-90", "opioid-first-line", "benzodiazepine-opioid"} & {
        a["code"] for a in out["alerts"]
    }


@SETTINGS
@given(cases(uncovered=True), st.sampled_from(["cdc-2022", "cdc-2016"]))
def test_evaluate_never_raises_for_a_valid_case_under_either_mme_table(
    case: dict[str, Any], table: str
) -> None:
    out = _evaluate(case, table)
    assert out["triage"]["level"] in get_args(v.TriageLevel)


@pytest.mark.parametrize(("name", "table"), [("meperidine", "cdc-2022"), ("tapentadol", "cdc-2016")])
def test_an_opioid_the_table_does_not_cover_is_listed_with_a_note_not_refused(name: str, table: str) -> None:
    """Contract: an opioid the table excludes is listed with no factor and a note and adds nothing.

    Refusing the whole case instead would also withhold its triage (a cauda equina patient on meperidine).
    """
    case = _minimal(medications=[{"name": name, "dose": 50, "unit": "mg", "per_day": 4}])
    case["red_flags"] = ["saddle-anesthesia"]
    out = _evaluate(case, table)
    assert out["triage"]["level"] == "emergency"
    (item,) = out["mme"]["items"]
    assert item["name"] == name and item["factor"] is None and item["mme"] == 0 and item["note"].strip()
    assert out["mme"]["total"] == 0


# --- invalid cases are refused, naming the field -------------------------------------------------------


def _minimal(**extra: Any) -> dict[str, Any]:
    return {"id": "bad", "as_of": AS_OF.isoformat(), "patient": {"age": 40}, **extra}


def _errors(case: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as exc:
        stepcare.evaluate(case)
    assert exc.value.errors, "a CaseError must list its faults"
    return exc.value.errors


@pytest.mark.parametrize(
    ("case", "path"),
    [
        (_minimal(patient={"age": 250}), "patient.age"),
        (_minimal(pain={"nrs": 11}), "pain.nrs"),
        (_minimal(pian={"nrs": 3}), "pian"),
        (_minimal(pain={"onset": "2026-12-01"}), "pain.onset"),
        (_minimal(questionnaires=[{"instrument": "phq9", "items": [0, 1, 2]}]), "questionnaires[0].items"),
        (
            _minimal(questionnaires=[{"instrument": "gad7", "items": [0, 1, 2, 3, 0, 1, 4]}]),
            "questionnaires[0].items[6]",
        ),
        (
            _minimal(medications=[{"name": "oxycodone", "dose": -5, "unit": "mg", "per_day": 3}]),
            "medications[0].dose",
        ),
        (_minimal(red_flags=["saddle-anaesthesia"]), "red_flags[0]"),
        (_minimal(exam={"slr_positive": "left"}), "exam.slr_positive"),
    ],
    ids=[
        "age-250",
        "nrs-11",
        "unknown-key",
        "future-onset",
        "phq9-3-items",
        "gad7-answer-4",
        "negative-dose",
        "unknown-red-flag",
        "snake-case-exam-key",
    ],
)
def test_an_invalid_case_is_refused_with_the_faulty_field_named(case: dict[str, Any], path: str) -> None:
    errors = _errors(case)
    assert any(e.startswith(f"{path}:") for e in errors), f"no error names {path!r}: {errors}"


def _containers(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every JSON object inside a case with its contract path (`pain.sites[0]`)."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            if key == "exam" or isinstance(value, (dict, list)):
                found += _containers(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _containers(value, f"{path}[{i}]")
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.data(), st.from_regex(r"\A[a-z]{2,8}_zz\Z"))
def test_an_unknown_key_anywhere_is_refused_with_its_path(
    case: dict[str, Any], data: st.DataObject, key: str
) -> None:
    path, target = data.draw(st.sampled_from(_containers(case)), label="container")
    target[key] = 1
    full = f"{path}.{key}" if path else key
    errors = _errors(case)
    assert f"{full}: unknown key" in errors, f"expected '{full}: unknown key' in {errors}"


@SETTINGS
@given(cases())
def test_the_generated_cases_are_valid_by_the_case_model(case: dict[str, Any]) -> None:
    """Guards the generator: every property above runs on cases the contract accepts."""
    parsed = parse_case(case)
    assert parsed.as_of.isoformat() == case["as_of"]
