"""Stepcare's MME equals the peer's (cqframework/opioid-mme-r4) on its FHIR test patients.

A small test-side converter reads each MedicationRequest by the peer README's rules: frequencyMax, else
frequency, over period/periodUnit; else the number of timeOfDay entries; else once a day. The dose is
doseQuantity (or the high end of doseRange); patches take their mcg/hr rate from the product name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from builders import case

from stepcare.clinical import medications

PEER = Path(__file__).resolve().parents[2].parent / "shared" / "peer" / "opioid-mme-r4"

pytestmark = pytest.mark.skipif(not PEER.is_dir(), reason=f"peer data not found at {PEER}")

_PER_DAY = {"h": 24.0, "d": 1.0, "wk": 1 / 7}


def _product_text(request: dict[str, Any]) -> str:
    concept = request["medicationCodeableConcept"]
    texts = [c.get("display", "") for c in concept.get("coding", [])] + [concept.get("text", "")]
    return " ".join(t for t in texts if t)


def to_medication(request: dict[str, Any]) -> dict[str, Any]:
    text = _product_text(request)
    name = next(w for w in re.findall(r"[A-Za-z]+", text) if medications.resolve(w) is not None)
    dosage = request["dosageInstruction"][0]
    dose_and_rate = dosage["doseAndRate"][0]
    quantity = dose_and_rate.get("doseQuantity") or dose_and_rate["doseRange"]["high"]
    if "transdermal" in text.lower():
        rate_mg = float(re.search(r"([\d.]+)\s*MG/HR", text, re.I).group(1))  # type: ignore[union-attr]
        return {
            "name": name,
            "dose": rate_mg * 1000 * quantity["value"],
            "unit": "mcg/hr",
            "route": "transdermal",
        }
    repeat = dosage.get("timing", {}).get("repeat", {})
    frequency = repeat.get("frequencyMax", repeat.get("frequency"))
    if frequency is not None:
        per_day = frequency / repeat.get("period", 1) * _PER_DAY[repeat.get("periodUnit", "d")]
    elif repeat.get("timeOfDay"):
        per_day = len(repeat["timeOfDay"])
    else:
        per_day = 1
    formulation = "er" if re.search(r"extended release|\bER\b", text, re.I) else "ir"
    assert quantity.get("code", quantity.get("unit")) == "mg"
    return {"name": name, "dose": quantity["value"], "unit": "mg", "per_day": per_day, "formulation": formulation,
            "prn": bool(dosage.get("asNeededBoolean", False))}  # fmt: skip


def _folders() -> list[Path]:
    return sorted(p for p in PEER.iterdir() if p.is_dir()) if PEER.is_dir() else []


def _load(folder: Path) -> tuple[list[dict[str, Any]], float | None]:
    requests, expected = [], None
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["resourceType"] == "MedicationRequest":
            requests.append(data)
        elif data["resourceType"] == "GuidanceResponse":
            params = data["contained"][0]["parameter"]
            expected = next(p["valueQuantity"]["value"] for p in params if p["name"] == "TotalMME")
    return requests, expected


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: p.name)
def test_stepcare_total_mme_equals_the_peer_total(folder: Path) -> None:
    requests, expected = _load(folder)
    meds = [to_medication(r) for r in requests]
    mme, _ = medications.assess(case(*meds))
    assert mme.total == (expected if expected is not None else 0)
    assert mme.table == "cdc-2022"


def test_the_peer_suite_has_its_four_patients_and_the_one_without_medicines() -> None:
    names = {p.name for p in _folders()}
    assert {
        "patient-mme-greater-than-fifty",
        "patient-mme-less-than-fifty",
        "patient-mme-with-timeofday",
        "mmecalc",
        "patient-no-meds",
    } <= names
    requests, expected = _load(PEER / "patient-no-meds")
    assert requests == [] and expected is None


def test_the_converter_reads_the_peer_orders_as_the_readme_describes() -> None:
    fentanyl = to_medication(_load(PEER / "patient-mme-greater-than-fifty")[0][0])
    assert fentanyl == {"name": "Fentanyl", "dose": 75.0, "unit": "mcg/hr", "route": "transdermal"}
    oxycodone = to_medication(_load(PEER / "patient-mme-with-timeofday")[0][0])
    assert (oxycodone["dose"], oxycodone["per_day"], oxycodone["formulation"]) == (10, 2, "er")
