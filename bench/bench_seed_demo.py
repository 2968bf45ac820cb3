"""Demo-seeding benchmark: `manage.py seed_demo` on a fresh SQLite database, timed.

Each run migrates a new SQLite file in a temporary directory (never var/stepcare.sqlite3), times
`seed_demo` (target: under about 30 s), runs it a second time to check it creates nothing, and writes the
figures and the row counts to bench/results/seed_demo.json.

Usage: .venv/bin/python bench/bench_seed_demo.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "seed_demo.json"
TARGET_SECONDS = 30.0

# Settings for the throwaway database: the project's settings with SQLite and uploads in the temp directory.
SETTINGS = textwrap.dedent(
    """
    from pathlib import Path
    from stepcare.web.settings import *  # noqa: F403
    from stepcare.web.env import sqlite_database

    _HERE = Path(__file__).resolve().parent
    DATABASES = {"default": sqlite_database(_HERE / "demo.sqlite3")}
    MEDIA_ROOT = _HERE / "uploads"
    """
)

# Run inside the child process: seed, seed again, and report timings and counts as JSON on stdout.
CHILD = textwrap.dedent(
    """
    import io, json, time
    import django
    django.setup()
    from django.core.management import call_command
    from django.apps import apps

    def counts():
        labels = ("records.Patient", "records.Encounter", "intake.Intake", "care.Measurement",
                  "care.MedicationEntry", "care.EncounterNote", "meds.MonitoringEvent",
                  "procedures.ProcedureRecord", "care.CarePlan", "audit.AuditEvent")
        return {label: apps.get_model(label).objects.count() for label in labels}

    call_command("migrate", verbosity=0)
    out = io.StringIO()
    start = time.perf_counter()
    call_command("seed_demo", stdout=out)
    first = time.perf_counter() - start
    after_first = counts()
    start = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    second = time.perf_counter() - start
    print(json.dumps({"seconds": first, "second_run_seconds": second, "counts": after_first,
                      "second_run_created_nothing": counts() == after_first, "output": out.getvalue()}))
    """
)


def one_run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="stepcare-seed-bench-") as tmp:
        Path(tmp, "bench_seed_settings.py").write_text(SETTINGS)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench_seed_settings",
            "PYTHONPATH": os.pathsep.join([tmp, str(ROOT)]),
            "STEPCARE_MODE": "demo",
        }
        env.pop("DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    seconds = [float(r["seconds"]) for r in runs]
    figures = {
        "benchmark": "seed_demo on a fresh SQLite database",
        "runs": args.runs,
        "seconds_each": [round(s, 2) for s in seconds],
        "seconds_median": round(statistics.median(seconds), 2),
        "target_seconds": TARGET_SECONDS,
        "under_target": max(seconds) < TARGET_SECONDS,
        "second_run_created_nothing": all(r["second_run_created_nothing"] for r in runs),
        "second_run_seconds_median": round(
            statistics.median(float(r["second_run_seconds"]) for r in runs), 3
        ),
        "rows": runs[0]["counts"],
        "python": platform.python_version(),
        "machine": platform.machine(),
        "date": time.strftime("%Y-%m-%d"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(runs[0]["output"])
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
