"""The installed `stepcare` command: same results as Python, clear errors with exit 2, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_properties import cases

import stepcare
from stepcare.clinical.vocab import DIAGNOSIS_CODES

STEPCARE = shutil.which("stepcare", path=os.path.dirname(sys.executable))
EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example-case.json"

pytestmark = pytest.mark.skipif(STEPCARE is None, reason="the stepcare entry point is not installed")


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    assert STEPCARE is not None
    return subprocess.run(
        [STEPCARE, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def _case(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "cli-1",
        "as_of": "2026-11-24",
        "patient": {"age": 52, "sex": "female"},
        "pain": {
            "duration_days": 120,
            "sites": [{"region": "low-back", "side": "right"}],
            "radiation": ["buttock", "thigh", "below-knee"],
            "qualities": ["shooting", "numbness"],
            "nrs": 7,
        },
        "exam": {"slr-positive": "right", "dermatomal-sensory-loss": True},
        "questionnaires": [
            {"instrument": "phq9", "date": "2026-11-24", "items": [1, 1, 0, 0, 1, 0, 0, 0, 0]}
        ],
        "medications": [{"name": "oxycodone", "dose": 10, "unit": "mg", "per_day": 3}],
    }
    base.update(extra)
    return base


def _tramadol(case_id: str = "tramadol") -> dict[str, Any]:
    return _case(id=case_id, medications=[{"name": "tramadol", "dose": 50, "unit": "mg", "per_day": 4}])


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


def test_a_case_file_gives_exit_0_and_the_same_evaluation_as_python(tmp_path: Path) -> None:
    case = _case()
    proc = _run("evaluate", _write(tmp_path, "case.json", json.dumps(case)))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == stepcare.evaluate(case).to_dict()


def test_a_dash_reads_the_case_from_standard_input() -> None:
    case = _case(id="from-stdin")
    proc = _run("evaluate", "-", stdin=json.dumps(case))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["id"] == "from-stdin"
    assert out == stepcare.evaluate(case).to_dict()


@pytest.mark.skipif(not EXAMPLE.exists(), reason="shared/spec is not beside the project")
def test_the_contract_example_case_evaluates_identically_from_the_command_line() -> None:
    proc = _run("evaluate", str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out == stepcare.evaluate(json.loads(EXAMPLE.read_text(encoding="utf-8"))).to_dict()
    assert out["id"] == "example-1" and out["as_of"] == "2026-11-24"


def test_an_invalid_case_exits_2_naming_the_field_without_a_traceback(tmp_path: Path) -> None:
    case = _case(patient={"age": 250})
    proc = _run("evaluate", _write(tmp_path, "bad.json", json.dumps(case)))
    assert proc.returncode == 2
    assert "patient.age" in proc.stderr
    assert proc.stdout == ""
    _no_traceback(proc)


def test_an_unknown_key_exits_2_naming_its_path(tmp_path: Path) -> None:
    case = _case()
    case["pain"]["sitez"] = []
    proc = _run("evaluate", _write(tmp_path, "typo.json", json.dumps(case)))
    assert proc.returncode == 2
    assert "pain.sitez" in proc.stderr
    _no_traceback(proc)


def test_malformed_json_exits_2_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    proc = _run("evaluate", _write(tmp_path, "broken.json", '{"patient": {"age": 40},'))
    assert proc.returncode == 2
    assert "JSON" in proc.stderr
    _no_traceback(proc)


def test_a_missing_file_exits_2_naming_the_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.json")
    proc = _run("evaluate", missing)
    assert proc.returncode == 2
    assert "nowhere.json" in proc.stderr
    _no_traceback(proc)


def test_batch_with_an_invalid_second_line_keeps_order_reports_errors_in_place_and_exits_2(
    tmp_path: Path,
) -> None:
    first, third = _case(id="b-1"), _tramadol("b-3")
    bad = _case(id="b-2", pain={"nrs": 11})
    lines = "\n".join(json.dumps(c) for c in (first, bad, third)) + "\n"
    proc = _run("evaluate", "--batch", _write(tmp_path, "cases.jsonl", lines))
    assert proc.returncode == 2
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 3
    assert out[0] == stepcare.evaluate(first).to_dict()
    assert set(out[1]) == {"id", "errors"}
    assert out[1]["id"] == "b-2"
    assert any("pain.nrs" in e for e in out[1]["errors"]), out[1]
    assert out[2] == stepcare.evaluate(third).to_dict()
    _no_traceback(proc)


def test_batch_with_a_malformed_line_reports_it_in_place(tmp_path: Path) -> None:
    lines = json.dumps(_case(id="ok")) + "\n{not json\n"
    proc = _run("evaluate", "--batch", _write(tmp_path, "cases.jsonl", lines))
    assert proc.returncode == 2
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["ok", None]
    assert out[1]["errors"]
    _no_traceback(proc)


def test_batch_line_with_bytes_that_are_not_utf8_is_reported_in_place_and_the_rest_evaluated(
    tmp_path: Path,
) -> None:
    good = json.dumps(_case(id="after")).encode()
    bad = b'{"id": "latin-1", "patient": {"age": 40}, "pain": {"narrative": "caf\xe9"}}'
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(bad + b"\n" + good + b"\n")
    proc = _run("evaluate", "--batch", str(path))
    assert proc.returncode == 2
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "not valid UTF-8" in out[0]["errors"][0]
    position = bad.index(b"\xe9") + 1
    assert f"(byte {position})" in out[0]["errors"][0]
    assert out[1] == stepcare.evaluate(_case(id="after")).to_dict()
    _no_traceback(proc)


def test_single_case_file_that_is_not_utf8_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(
        json.dumps(_case(id="x", pain={"narrative": "NAR"})).encode().replace(b"NAR", b"caf\xe9")
    )
    proc = _run("evaluate", str(path))
    assert proc.returncode == 2
    assert "not valid UTF-8" in proc.stderr
    _no_traceback(proc)


def test_batch_with_every_line_valid_exits_0(tmp_path: Path) -> None:
    cases = [_case(id=f"ok-{i}") for i in range(3)]
    proc = _run(
        "evaluate", "--batch", _write(tmp_path, "ok.jsonl", "".join(json.dumps(c) + "\n" for c in cases))
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["ok-0", "ok-1", "ok-2"]
    assert all(o == stepcare.evaluate(c).to_dict() for o, c in zip(out, cases, strict=True))


def test_batch_reads_standard_input_with_a_dash() -> None:
    cases = [_case(id="s-1"), _tramadol("s-2")]
    proc = _run("evaluate", "--batch", "-", stdin="".join(json.dumps(c) + "\n" for c in cases))
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == ["s-1", "s-2"]


@pytest.mark.parametrize(("table", "factor", "total"), [("cdc-2022", 0.2, 40.0), ("cdc-2016", 0.1, 20.0)])
def test_the_mme_table_option_changes_tramadol_mme(
    tmp_path: Path, table: str, factor: float, total: float
) -> None:
    """Tramadol 50 mg four times a day: 0.2 under CDC 2022, 0.1 under the older table (CF §2.3)."""
    case = _tramadol()
    proc = _run("evaluate", "--mme-table", table, _write(tmp_path, "tramadol.json", json.dumps(case)))
    assert proc.returncode == 0, proc.stderr
    mme = json.loads(proc.stdout)["mme"]
    assert mme["table"] == table
    assert mme["items"][0]["factor"] == pytest.approx(factor)
    assert mme["total"] == pytest.approx(total, abs=0.05)
    assert json.loads(proc.stdout) == stepcare.evaluate(case, mme_table=table).to_dict()


def test_the_default_mme_table_is_cdc_2022(tmp_path: Path) -> None:
    proc = _run("evaluate", _write(tmp_path, "tramadol.json", json.dumps(_tramadol())))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["mme"]["table"] == "cdc-2022"


def test_an_unknown_mme_table_exits_2_naming_the_option(tmp_path: Path) -> None:
    proc = _run("evaluate", "--mme-table", "cdc-1999", _write(tmp_path, "case.json", json.dumps(_case())))
    assert proc.returncode == 2
    assert "--mme-table" in proc.stderr and "cdc-1999" in proc.stderr
    assert proc.stdout == ""
    _no_traceback(proc)


def test_evaluate_without_a_case_exits_2_saying_what_to_give() -> None:
    proc = _run("evaluate")
    assert proc.returncode == 2
    assert "CASE.json" in proc.stderr
    _no_traceback(proc)


def test_knowledge_lists_the_knowledge_version() -> None:
    proc = _run("knowledge")
    assert proc.returncode == 0, proc.stderr
    assert stepcare.evaluate(_case()).to_dict()["knowledge_version"] in proc.stdout
    _no_traceback(proc)


def test_knowledge_as_json_lists_every_contract_condition() -> None:
    proc = _run("knowledge", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert {c["code"] for c in summary["conditions"]} == set(DIAGNOSIS_CODES)
    assert summary["knowledge_version"] == stepcare.evaluate(_case()).to_dict()["knowledge_version"]


def test_knowledge_lists_the_icd10cm_codes_of_each_condition() -> None:
    proc = _run("knowledge")
    assert proc.returncode == 0, proc.stderr
    knee = proc.stdout.split("  knee-osteoarthritis", 1)[1].split("\n  hip-osteoarthritis", 1)[0]
    assert "ICD-10-CM M17.11   Unilateral primary osteoarthritis, right knee" in knee
    assert "ICD-10-CM M17.0    Bilateral primary osteoarthritis of knee" in knee
    summary = json.loads(_run("knowledge", "--json").stdout)
    assert all(c["icd10cm"] for c in summary["conditions"])
    crps = next(c for c in summary["conditions"] if c["code"] == "crps")
    assert {"code": "G90.521", "side": "right"}.items() <= next(
        i for i in crps["icd10cm"] if i["code"] == "G90.521"
    ).items()


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(cases(uncovered=True), min_size=12, max_size=12), st.sampled_from(["cdc-2022", "cdc-2016"]))
def test_batch_evaluations_of_arbitrary_valid_cases_equal_python_line_for_line(
    batch: list[dict[str, Any]], table: str
) -> None:
    """The contract's promise that Python and the command line give identical results, on varied input."""
    text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in batch)
    proc = _run("evaluate", "--batch", "-", "--mme-table", table, stdin=text)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert out == [stepcare.evaluate(c, mme_table=table).to_dict() for c in batch]


def _generated_cases(n: int, seed: int) -> list[dict[str, Any]]:
    """The engine benchmark's own case generator (bench/casegen.py): varied, realistic, deterministic."""
    import importlib.util
    import random

    path = Path(__file__).resolve().parents[2] / "bench" / "casegen.py"
    spec = importlib.util.spec_from_file_location("stepcare_bench_casegen", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = random.Random(seed)
    return [module.make_case(rng, i) for i in range(n)]


@pytest.mark.parametrize("table", ["cdc-2022", "cdc-2016"])
def test_batch_of_three_hundred_generated_cases_equals_python_case_for_case(table: str) -> None:
    """The fast batch path (orjson, one binary write per line) says exactly what evaluate() says."""
    batch = _generated_cases(300, seed=7 if table == "cdc-2022" else 11)
    text = "".join(json.dumps(c) + "\n" for c in batch)
    proc = _run("evaluate", "--batch", "-", "--no-progress", "--mme-table", table, stdin=text)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 300
    for line, case in zip(lines, batch, strict=True):
        assert json.loads(line) == stepcare.evaluate(case, mme_table=table).to_dict()


def test_a_batch_line_orjson_cannot_write_falls_back_to_the_same_json() -> None:
    from stepcare.cli import _dump, _dump_line

    huge = {"id": "x", "value": 2**70, "text": "Schmerz \u2013 ü", "ratio": 1e-05}
    assert _dump_line(huge) == (_dump(huge, pretty=False) + "\n").encode("utf-8")
    ordinary = {"id": "y", "ratio": 0.1, "n": [1, 2.5, None, True], "text": "ü"}
    assert json.loads(_dump_line(ordinary)) == ordinary
    assert _dump_line(ordinary).endswith(b"\n")
