"""End-to-end clinical vignettes (tests/clinical/vignettes.yaml) run through stepcare.evaluate().

Each vignette is a full contract case with expectations taken from the shared references; this file only
checks them, with messages that show what the engine actually said.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

import stepcare
from stepcare.clinical.vocab import DiagnosisCode, StepCode

VIGNETTES = Path(__file__).with_name("vignettes.yaml")

EXPECT_KEYS = frozenset(
    {
        "triage", "triage_reasons_has", "chronicity", "mechanism", "top", "top_any_of", "in_top_2",
        "in_top_3", "not_top", "confirmed", "plan_first", "plan_has", "plan_has_any", "plan_lacks",
        "plan_lacks_tiers", "plan_before", "alerts_has", "alerts_lacks", "alert_severity",
        "alert_message_has", "mme_total", "mme_excluded",
    }
)  # fmt: skip


def _jsonable(obj: Any) -> Any:
    """YAML reads bare dates as dates; the contract's cases are JSON, so turn them back into strings."""
    return json.loads(json.dumps(obj, default=lambda d: d.isoformat() if isinstance(d, dt.date) else d))


@cache
def _load() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))
    return tuple(_jsonable(item) for item in data)


def _vignettes() -> list[Any]:
    return [pytest.param(v, id=v["name"]) for v in _load()]


def _summary(out: dict[str, Any]) -> str:
    diff = [
        f"{d['code']}={d['score']:.2f}{'*' if d.get('confirmed') else ''}" for d in out["differential"][:3]
    ]
    plan = [f"{p['order']}:{p['code']}(t{p['tier']})" for p in out["plan"]]
    return (
        f"\n  triage: {out['triage']['level']} {out['triage']['reasons']}"
        f"\n  chronicity: {out['chronicity']}  mechanism: {out['mechanism']}"
        f"\n  top-3 differential: {diff}"
        f"\n  plan: {plan}"
        f"\n  alerts: {[a['code'] for a in out['alerts']]}"
        f"\n  mme: {out['mme']['total']} {[(i['name'], i['factor'], i['mme']) for i in out['mme']['items']]}"
    )


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _check(expect: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Every unmet expectation, worded; an empty list means the vignette passes."""
    fails: list[str] = []
    diff_codes = [d["code"] for d in out["differential"]]
    plan_codes = [p["code"] for p in out["plan"]]
    alerts = {a["code"]: a for a in out["alerts"]}

    if "triage" in expect and out["triage"]["level"] not in _as_list(expect["triage"]):
        fails.append(f"triage is {out['triage']['level']!r}, expected {expect['triage']!r}")
    for reason in expect.get("triage_reasons_has", []):
        if reason not in out["triage"]["reasons"]:
            fails.append(f"triage reasons lack {reason!r}")
    if "chronicity" in expect and out["chronicity"] != expect["chronicity"]:
        fails.append(f"chronicity is {out['chronicity']!r}, expected {expect['chronicity']!r}")
    if "mechanism" in expect and out["mechanism"] not in _as_list(expect["mechanism"]):
        fails.append(f"mechanism is {out['mechanism']!r}, expected {expect['mechanism']!r}")

    top = diff_codes[0] if diff_codes else None
    if "top" in expect and top != expect["top"]:
        fails.append(f"top differential is {top!r}, expected {expect['top']!r}")
    if "top_any_of" in expect and top not in expect["top_any_of"]:
        fails.append(f"top differential is {top!r}, expected one of {expect['top_any_of']!r}")
    for key, n in (("in_top_2", 2), ("in_top_3", 3)):
        if key in expect and expect[key] not in diff_codes[:n]:
            fails.append(f"{expect[key]!r} is not in the top {n}: {diff_codes[:n]}")
    if "not_top" in expect and top in expect["not_top"]:
        fails.append(f"top differential is {top!r}, which the references rule out here")
    confirmed = [d["code"] for d in out["differential"] if d.get("confirmed")]
    for code in expect.get("confirmed", []):
        if code not in confirmed:
            fails.append(f"{code!r} is not marked confirmed (confirmed: {confirmed})")

    if "plan_first" in expect and (plan_codes[:1] != [expect["plan_first"]]):
        fails.append(f"plan starts with {plan_codes[:1]}, expected {expect['plan_first']!r}")
    for code in expect.get("plan_has", []):
        if code not in plan_codes:
            fails.append(f"plan lacks {code!r}")
    for group in expect.get("plan_has_any", []):
        if not set(group) & set(plan_codes):
            fails.append(f"plan has none of {group}")
    for code in expect.get("plan_lacks", []):
        if code in plan_codes:
            fails.append(f"plan has {code!r}, which the references advise against here")
    for step in out["plan"]:
        if step["tier"] in expect.get("plan_lacks_tiers", []):
            fails.append(f"plan has tier-{step['tier']} step {step['code']!r}")
    for first, then in expect.get("plan_before", []):
        if first in plan_codes and then in plan_codes and plan_codes.index(first) > plan_codes.index(then):
            fails.append(f"plan puts {then!r} before {first!r}")

    for code in expect.get("alerts_has", []):
        if code not in alerts:
            fails.append(f"alerts lack {code!r}")
    for code in expect.get("alerts_lacks", []):
        if code in alerts:
            fails.append(f"alert {code!r} fired: {alerts[code]['message']}")
    for code, severity in expect.get("alert_severity", {}).items():
        if code in alerts and alerts[code]["severity"] != severity:
            fails.append(f"alert {code!r} has severity {alerts[code]['severity']!r}, expected {severity!r}")
    for code, text in expect.get("alert_message_has", {}).items():
        if code in alerts and text.lower() not in alerts[code]["message"].lower():
            fails.append(f"alert {code!r} message does not mention {text!r}: {alerts[code]['message']!r}")

    if "mme_total" in expect and abs(out["mme"]["total"] - expect["mme_total"]) > 0.05:
        fails.append(f"MME total is {out['mme']['total']}, expected {expect['mme_total']}")
    items = {i["name"]: i for i in out["mme"]["items"]}
    for name in expect.get("mme_excluded", []):
        item = items.get(name)
        if item is None:
            fails.append(f"{name!r} is not listed among the MME items ({sorted(items)})")
        elif item["factor"] is not None or item["mme"] != 0 or not item["note"]:
            fails.append(f"{name!r} should be listed with no factor, 0 MME and a note; got {item}")
    return fails


@pytest.mark.parametrize("vignette", _vignettes())
def test_vignette(vignette: dict[str, Any]) -> None:
    out = stepcare.evaluate(vignette["case"]).to_dict()
    fails = _check(vignette["expect"], out)
    assert not fails, (
        f"{vignette['name']} ({vignette['source']}):\n  - " + "\n  - ".join(fails) + _summary(out)
    )


# --- the vignette file itself --------------------------------------------------------------------------


def test_there_are_at_least_forty_vignettes_with_unique_names() -> None:
    names = [v["name"] for v in _load()]
    assert len(names) >= 40
    assert len(set(names)) == len(names), "vignette names must be unique (they are the test ids)"


def test_every_vignette_has_a_source_a_case_and_only_known_expectation_keys() -> None:
    for v in _load():
        assert set(v) == {"name", "source", "case", "expect"}, v["name"]
        assert v["source"].strip(), v["name"]
        assert v["case"]["as_of"] == "2026-11-24", v["name"]
        assert v["expect"], f"{v['name']} expects nothing"
        unknown = set(v["expect"]) - EXPECT_KEYS
        assert not unknown, f"{v['name']}: unknown expectation keys {unknown}"


def test_expectations_use_only_contract_codes() -> None:
    steps, codes = set(get_args(StepCode)), set(get_args(DiagnosisCode))
    for v in _load():
        e = v["expect"]
        plan = [
            *e.get("plan_has", []),
            *e.get("plan_lacks", []),
            *([e["plan_first"]] if "plan_first" in e else []),
        ]
        plan += [code for group in [*e.get("plan_has_any", []), *e.get("plan_before", [])] for code in group]
        assert set(plan) <= steps, f"{v['name']}: unknown step codes {set(plan) - steps}"
        diff = [e.get("top"), e.get("in_top_2"), e.get("in_top_3"), *e.get("top_any_of", [])]
        diff += [*e.get("not_top", []), *e.get("confirmed", [])]
        assert {d for d in diff if d} <= codes, f"{v['name']}: unknown condition codes"


def test_the_vignettes_cover_every_contract_condition_as_the_expected_top_code() -> None:
    covered = {v["expect"].get("top") for v in _load()} | {
        c for v in _load() for c in v["expect"].get("top_any_of", [])
    }
    missing = set(get_args(DiagnosisCode)) - covered
    assert not missing, f"no vignette expects these conditions on top: {sorted(missing)}"


def test_the_vignettes_cover_every_red_flag_route_to_emergency_and_urgent() -> None:
    levels = {lvl for v in _load() for lvl in _as_list(v["expect"].get("triage", []))}
    assert {"emergency", "urgent", "routine"} <= levels
    flags = {f for v in _load() for f in v["case"].get("red_flags", [])}
    assert {"saddle-anesthesia", "fever", "iv-drug-use", "cancer-history", "major-trauma",
            "osteoporosis", "thunderclap-headache", "progressive-weakness"} <= flags  # fmt: skip


def test_the_checker_reports_an_unmet_expectation() -> None:
    """The checker itself must fail on a wrong answer, or every vignette would pass vacuously."""
    out = {
        "triage": {"level": "routine", "reasons": []},
        "chronicity": "acute",
        "mechanism": "nociceptive",
        "differential": [{"code": "migraine", "score": 0.9, "confirmed": False}],
        "plan": [{"order": 1, "tier": 4, "code": "epidural-steroid-injection"}],
        "alerts": [{"code": "mme-50", "severity": "warning", "message": "m"}],
        "mme": {"total": 10.0, "items": []},
    }
    expect = {
        "triage": "emergency",
        "top": "crps",
        "plan_has": ["education"],
        "plan_lacks": ["epidural-steroid-injection"],
        "plan_lacks_tiers": [4],
        "alerts_has": ["suicide-risk"],
        "alerts_lacks": ["mme-50"],
        "mme_total": 12,
        "chronicity": None,
    }
    assert len(_check(expect, out)) == len(expect)
