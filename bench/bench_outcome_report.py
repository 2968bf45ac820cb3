"""Outcome-report benchmark: 100,000 patients x 10 assessments on PostgreSQL.

Times the clinic outcome report (stepcare.reports.outcomes.outcome_report: one SQL statement per
patient/instrument, then grouping by condition and intervention in Python) and a single hand-written
PostgreSQL aggregate computing the same headline numbers (per condition, instrument and horizon:
patients, followed up, meaningfully improved, median change, at goal), each the median of 3 runs, checks
that both give the same numbers, and writes the figures to bench/results/outcome_report.json.
Target (issue 5): the report under 10 s.

Database: DATABASE_URL (postgresql://...) names a server; the benchmark creates its own database
`<name>_bench_outcomes` there and drops it afterwards. Without DATABASE_URL it starts a throwaway
PostgreSQL server the way scripts/test does (needs /usr/lib/postgresql/*/bin).

Usage: .venv/bin/python bench/bench_outcome_report.py [--patients N] [--assessments N] [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import glob
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
RESULTS = HERE / "results" / "outcome_report.json"
START, END = datetime.date(2024, 1, 1), datetime.date(2025, 6, 30)
CONDITIONS = [
    "lumbar-radiculopathy",
    "lumbar-facet-pain",
    "knee-osteoarthritis",
    "fibromyalgia",
    "cervical-radiculopathy",
    "si-joint-pain",
    "myofascial-pain",
    "",
]
INSTRUMENTS = ("peg", "odi")  # each assessment scores both
# Days after baseline of the 10 assessments (jittered), so each horizon has data for most patients.
VISIT_DAYS = (0, 30, 60, 91, 130, 182, 240, 300, 365, 430)


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------- the server
@contextlib.contextmanager
def throwaway_server(port: int) -> Iterator[str]:
    """initdb + pg_ctl start in a temporary directory (as user postgres when run as root)."""
    bins = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[4].split(".")]
    )
    if not bins:
        sys.exit("No DATABASE_URL and no PostgreSQL server binaries (apt-get install postgresql).")
    pg_bin = bins[-1]
    workdir = tempfile.mkdtemp(prefix="stepcare-bench-pg.")
    as_pg: list[str] = []
    if os.geteuid() == 0:
        if subprocess.run(["id", "postgres"], check=False, capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(workdir, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    data = f"{workdir}/data"
    log(f"==> Starting a throwaway PostgreSQL ({pg_bin}) on 127.0.0.1:{port}")
    subprocess.run(
        [*as_pg, f"{pg_bin}/initdb", "-D", data, "-U", "stepcare", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB -c work_mem=64MB"
    subprocess.run(
        [*as_pg, f"{pg_bin}/pg_ctl", "-D", data, "-l", f"{workdir}/log", "-w", "-o", options, "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://stepcare@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_pg, f"{pg_bin}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def bench_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server, dropped afterwards."""
    import psycopg

    parts = urlsplit(server_url)
    name = (parts.path.lstrip("/") or "postgres") + "_bench_outcomes"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -------------------------------------------------------------------------------------- the data
def _copy(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]], total: int, what: str) -> None:
    """COPY rows into table in batches of 100,000 with a progress line."""
    from django.db import connection

    batch = 100_000
    done = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        while True:
            chunk = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == batch:
                    break
            if not chunk:
                break
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row)
            done += len(chunk)
            rate = done / max(time.perf_counter() - started, 1e-9)
            print(f"\r    {what}: {done:,}/{total:,} ({rate:,.0f} rows/s)", end="", flush=True)
    print(flush=True)


def generate(patients: int, assessments: int, seed: int = 5) -> dict[str, int]:
    from django.db import connection
    from django.utils import timezone

    from stepcare.accounts.models import User
    from stepcare.care.models import Measurement
    from stepcare.procedures.models import ProcedureRecord
    from stepcare.records.models import Clinic, Patient

    rng = random.Random(seed)
    clinic = Clinic.objects.create(name="Bench clinic", slug="bench", timezone="UTC")
    doctor = User.objects.create(username="bench-doctor", role="physician", clinic=clinic)
    now = timezone.now()
    span = (END - START).days

    log(
        f"==> Generating {patients:,} patients, {assessments} assessments each ({len(INSTRUMENTS)} measures per assessment)"
    )
    pt = Patient._meta.db_table
    _copy(
        pt,
        [
            "clinic_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "mrn",
            "phone",
            "email",
            "address",
            "pcp_name",
            "pcp_phone",
            "pcp_fax",
            "pcp_email",
            "member_id",
            "presenting_problem",
            "primary_condition",
            "story",
            "created_at",
            "updated_at",
        ],
        (
            (
                clinic.pk,
                "Bench",
                f"Patient{i}",
                datetime.date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
                "female" if i % 2 else "male",
                f"B{i:07d}",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                CONDITIONS[i % len(CONDITIONS)],
                "",
                now,
                now,
            )
            for i in range(patients)
        ),
        patients,
        "patients",
    )
    ids = Patient.objects.filter(clinic=clinic).order_by("id").values_list("id", flat=True)
    first_id, last_id = ids.first(), ids.last()
    assert first_id is not None and last_id is not None and last_id - first_id + 1 == patients

    def measurements() -> Iterator[tuple[Any, ...]]:
        for pid in range(first_id, last_id + 1):
            base = START + datetime.timedelta(days=rng.randrange(span + 1))
            responder = rng.random()
            peg0, odi0 = rng.uniform(4, 9.5), rng.uniform(20, 70)
            for k in range(assessments):
                offset = VISIT_DAYS[k % len(VISIT_DAYS)] + (0 if k == 0 else rng.randint(-12, 12))
                day = base + datetime.timedelta(days=max(offset, 1) if k else 0)
                gain = responder * min(k, 6) / 6
                peg = max(0.0, min(10.0, round(peg0 * (1 - 0.5 * gain) + rng.uniform(-0.8, 0.8), 1)))
                odi = max(0.0, min(100.0, round(odi0 * (1 - 0.45 * gain) + rng.uniform(-5, 5))))
                yield (pid, day, "peg", peg, "visit", now)
                yield (pid, day, "odi", float(odi), "visit", now)

    total = patients * assessments * len(INSTRUMENTS)
    _copy(
        Measurement._meta.db_table,
        ["patient_id", "date", "instrument", "score", "source", "created_at"],
        measurements(),
        total,
        "measurements",
    )

    log("    procedures for 20% of patients (bulk_create)")
    procs = [
        ProcedureRecord(
            patient_id=pid,
            clinic=clinic,
            code=rng.choice(["epidural-steroid-injection", "medial-branch-block"]),
            status="response-recorded",
            region="low-back",
            performed_on=START,
            relief_percent=rng.uniform(0, 100),
            created_by=doctor,
            performed_by=doctor,
        )
        for pid in range(first_id, last_id + 1)
        if rng.random() < 0.2
    ]
    ProcedureRecord.objects.bulk_create(procs, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"clinic_id": clinic.pk, "patients": patients, "measurements": total, "procedures": len(procs)}


# ------------------------------------------------------------------------------- the hand-written SQL
HAND_SQL = """
WITH rules(instrument, points, pct, at_goal) AS (VALUES {rules}),
m AS (
  SELECT me.id, me.patient_id, me.instrument, me.date, me.score, p.primary_condition
  FROM care_measurement me JOIN records_patient p ON p.id = me.patient_id
  WHERE p.clinic_id = %(clinic)s AND me.instrument IN (SELECT instrument FROM rules)
),
b AS (
  SELECT DISTINCT ON (patient_id, instrument) patient_id, instrument, primary_condition, date AS base_date, score AS base
  FROM m ORDER BY patient_id, instrument, date, id
),
c AS (SELECT * FROM b WHERE base_date BETWEEN %(start)s AND %(end)s),
l AS (
  SELECT DISTINCT ON (patient_id, instrument) patient_id, instrument, score AS latest
  FROM m ORDER BY patient_id, instrument, date DESC, id DESC
),
h(months, days) AS (VALUES (3, 91), (6, 182), (12, 365)),
f AS (
  SELECT DISTINCT ON (c.patient_id, c.instrument, h.months) c.patient_id, c.instrument, h.months, m.score
  FROM c JOIN m ON m.patient_id = c.patient_id AND m.instrument = c.instrument
  JOIN h ON (m.date - c.base_date) > 0 AND abs((m.date - c.base_date) - h.days) <= %(window)s
  ORDER BY c.patient_id, c.instrument, h.months, abs((m.date - c.base_date) - h.days), (m.date - c.base_date), m.id
)
SELECT c.primary_condition, c.instrument, h.months,
       count(*) AS patients,
       count(f.score) AS followed,
       count(*) FILTER (WHERE c.base - f.score > 0 AND (c.base - f.score >= r.points - 1e-9
             OR (r.pct IS NOT NULL AND c.base > 0 AND (c.base - f.score) / c.base * 100 >= r.pct - 1e-9))) AS improved,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.score - c.base) AS median_change,
       count(*) FILTER (WHERE l.latest <= r.at_goal + 1e-9) AS at_goal
FROM c CROSS JOIN h
JOIN l ON l.patient_id = c.patient_id AND l.instrument = c.instrument
JOIN rules r ON r.instrument = c.instrument
LEFT JOIN f ON f.patient_id = c.patient_id AND f.instrument = c.instrument AND f.months = h.months
GROUP BY 1, 2, 3
"""


def hand_sql(clinic_id: int) -> list[tuple[Any, ...]]:
    from django.db import connection

    from stepcare.reports import outcomes

    rules = ", ".join(
        f"('{k}', {r.mcid_points!r}::float8, {'NULL' if r.mcid_percent is None else repr(r.mcid_percent)}::float8, "
        f"{r.at_goal_max!r}::float8)"
        for k, r in sorted(outcomes.rules().items())
    )
    with connection.cursor() as cursor:
        cursor.execute(
            HAND_SQL.format(rules=rules),
            {"clinic": clinic_id, "start": START, "end": END, "window": outcomes.HORIZON_WINDOW_DAYS},
        )
        return cursor.fetchall()


def compare(report: Any, rows: list[tuple[Any, ...]]) -> list[str]:
    """Differences between the report's per-condition rows and the hand-written SQL (empty = agree)."""
    from stepcare.reports.outcomes import UNSPECIFIED

    mine = {(r.key, r.instrument): r for r in report.rows if r.kind == "condition"}
    problems = []
    for condition, instrument, months, patients, followed, improved, median, at_goal in rows:
        r = mine.get((condition or UNSPECIFIED, instrument))
        if r is None:
            problems.append(f"{condition}/{instrument}: missing from the report")
            continue
        h = r.horizons[months]
        ours = (r.patients, h.followed, h.improved, h.median_change(), r.at_goal)
        theirs = (patients, followed, improved, None if median is None else round(median, 2), at_goal)
        if ours != theirs:
            problems.append(f"{condition}/{instrument}/{months}m: report {ours} != sql {theirs}")
    return problems


def timed(fn: Any, runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for i in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(round(time.perf_counter() - t0, 3))
        log(f"    run {i + 1}: {times[-1]:.3f} s")
    return times, result


def run(args: argparse.Namespace, server_url: str) -> dict[str, Any]:
    with bench_database(server_url) as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("STEPCARE_MODE", "dev")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepcare.web.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from stepcare.reports import outcomes

        log("==> Migrating")
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        data = generate(args.patients, args.assessments)
        load_seconds = round(time.perf_counter() - t0, 1)
        clinic_id = data["clinic_id"]

        log(f"==> The outcome report ({args.runs} runs)")
        report_times, report = timed(
            lambda: outcomes.outcome_report(clinic_id=clinic_id, start=START, end=END), args.runs
        )
        log(f"==> The hand-written SQL aggregate ({args.runs} runs)")
        sql_times, rows = timed(lambda: hand_sql(clinic_id), args.runs)
        problems = compare(report, rows)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
        report_median = statistics.median(report_times)
        sql_median = statistics.median(sql_times)
        headline = next(r for r in report.rows if r.kind == "all" and r.instrument == "peg").to_dict()
        return {
            "benchmark": "clinic outcome report (issue 5)",
            "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": f"PostgreSQL {server}",
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "data": {
                **{k: v for k, v in data.items() if k != "clinic_id"},
                "assessments_per_patient": args.assessments,
                "instruments_per_assessment": list(INSTRUMENTS),
                "load_seconds": load_seconds,
                "period": [START.isoformat(), END.isoformat()],
            },
            "report": {
                "runs_seconds": report_times,
                "median_seconds": report_median,
                "groups": len(report.rows),
                "cohort_patients": report.patients,
            },
            "hand_written_sql": {"runs_seconds": sql_times, "median_seconds": sql_median, "rows": len(rows)},
            "ratio_report_to_sql": round(report_median / sql_median, 2) if sql_median else None,
            "target_seconds": 10.0,
            "under_target": report_median < 10.0,
            "numbers_agree": not problems,
            "disagreements": problems[:20],
            "headline_all_patients_peg": headline,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--assessments", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=int(os.environ.get("STEPCARE_PG_PORT", "54339")))
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    given = os.environ.get("DATABASE_URL", "").strip()
    if given:
        result = run(args, given)
    else:
        with throwaway_server(args.port) as url:
            result = run(args, url)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    log(
        f"==> report {result['report']['median_seconds']:.2f} s (median of {args.runs}), hand-written SQL "
        f"{result['hand_written_sql']['median_seconds']:.2f} s, ratio {result['ratio_report_to_sql']}; "
        f"numbers agree: {result['numbers_agree']}; target < 10 s: {result['under_target']} → {args.output}"
    )
    if not result["numbers_agree"]:
        sys.exit("The report and the hand-written SQL disagree: " + "; ".join(result["disagreements"][:5]))


if __name__ == "__main__":
    main()
