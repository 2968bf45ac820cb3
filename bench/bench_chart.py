"""Chart-page benchmark: server time and SQL queries of /patients/<id>/care/ for a patient with 5 years of history.

Builds, in a throwaway database, one patient with 60 encounters (signed, each with a structured note), 200
questionnaires (PEG, PHQ-9, GAD-7, ODI with their items), 40 medication entries (36 of them stopped) and,
when the procedures app is installed, 15 performed procedures; plus the submitted intake and goal
measures. Then requests the chart N times with Django's test Client as the patient's physician and
records per request the server time (perf_counter around client.get), the process's CPU time and the SQL
query count (CaptureQueriesContext). The first request of the day evaluates and stores a snapshot; it is
reported on its own; after a few warm-up requests the N measured ones reuse it (as every later view that
day does). Figures go to bench/results/chart.json under the database vendor (sqlite / postgresql).
Target (issue 6): p95 < 150 ms on both, the same query count whatever the history length.

Database: SQLite file in a temporary directory by default; with DATABASE_URL (postgresql://...) a
database `<name>_bench_chart` is created on that server and dropped afterwards; with --start-postgres a
throwaway PostgreSQL server is started the way scripts/test does (needs /usr/lib/postgresql/*/bin).

Usage: .venv/bin/python bench/bench_chart.py [--requests 50] [--start-postgres] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import glob
import io
import json
import os
import platform
import pstats
import random
import shutil
import socket
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
RESULTS = HERE / "results" / "chart.json"
TARGET_P95_MS = 150.0
WARMUP = 3

INTAKE = {
    "pain": {
        "onset": "2021-09-01",
        "sites": [{"region": "low-back", "side": "left"}, {"region": "buttock", "side": "left"}],
        "radiation": ["thigh", "below-knee"],
        "qualities": ["shooting", "electric", "burning"],
        "worse_with": ["sitting", "flexion"],
        "better_with": ["walking"],
        "nrs": 6,
        "narrative": "Pain shoots down my left leg since I lifted a box at work.",
    },
    "therapies": [{"code": "physical-therapy", "weeks": 8, "completed": True, "response": "partial"}],
    "goals": [
        {"kind": "work", "text": "sit through a shift", "measure": "sitting-minutes", "target": 120},
        {"kind": "life", "text": "walk the dog", "measure": "walk-minutes", "target": 30},
    ],
}
DRUGS = [
    ("gabapentin", 300.0, "mg", 3.0),
    ("naproxen", 500.0, "mg", 2.0),
    ("duloxetine", 60.0, "mg", 1.0),
    ("oxycodone", 5.0, "mg", 3.0),
    ("pregabalin", 75.0, "mg", 2.0),
    ("tramadol", 50.0, "mg", 2.0),
]
PROCEDURES = ["epidural-steroid-injection", "medial-branch-block", "facet-rfa", "si-joint-injection"]
# instrument → (items, item maximum, score from items)
INSTRUMENTS: dict[str, tuple[int, int, Any]] = {
    "peg": (3, 10, lambda xs: round(sum(xs) / 3, 2)),
    "phq9": (9, 3, sum),
    "gad7": (7, 3, sum),
    "odi": (10, 5, lambda xs: sum(xs) * 2),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------- databases
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """initdb + pg_ctl start in a temporary directory (as user postgres when root), like scripts/test."""
    bins = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[4].split(".")]
    )
    if not bins:
        sys.exit("--start-postgres needs the PostgreSQL server binaries (apt-get install postgresql).")
    pg_bin, port = bins[-1], _free_port()
    workdir = tempfile.mkdtemp(prefix="stepcare-bench-pg.")
    as_pg: list[str] = []
    if os.geteuid() == 0:
        if subprocess.run(["id", "postgres"], check=False, capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(workdir, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    data = f"{workdir}/data"
    log(f"==> Starting a throwaway PostgreSQL ({pg_bin}) on 127.0.0.1:{port}")
    subprocess.run([*as_pg, f"{pg_bin}/initdb", "-D", data, "-U", "stepcare", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)  # fmt: skip
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*as_pg, f"{pg_bin}/pg_ctl", "-D", data, "-l", f"{workdir}/log", "-w", "-o", options, "start"],
                   check=True, capture_output=True)  # fmt: skip
    try:
        yield f"postgresql://stepcare@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, f"{pg_bin}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database `<name>_bench_chart` on the server, dropped afterwards."""
    import psycopg

    parts = urlsplit(server_url)
    name = (parts.path.lstrip("/") or "postgres") + "_bench_chart"
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


def setup_django(database_url: str | None, sqlite_dir: Path) -> None:
    """Settings as in production (DEBUG off) on the throwaway database; migrate it."""
    os.environ["STEPCARE_MODE"] = "dev"
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "stepcare.web.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.conf import settings

    if not database_url:
        from stepcare.web.env import sqlite_database

        settings.DATABASES["default"] = sqlite_database(sqlite_dir / "bench.sqlite3")
    django.setup()
    from django.core.management import call_command

    log("==> Migrating the throwaway database")
    call_command("migrate", verbosity=0)


# -------------------------------------------------------------------------------------------- data
def build_history(
    *, encounters: int, questionnaires: int, medications: int, procedures: int
) -> dict[str, Any]:
    """One clinic, one physician, one patient with `years` of history ending today; returns ids and counts."""
    from django.apps import apps

    from stepcare.accounts.models import User
    from stepcare.care.models import EncounterNote, Measurement, MedicationEntry
    from stepcare.care.selectors import patient_today
    from stepcare.intake.models import Intake, IntakeStatus
    from stepcare.records.models import Clinic, Encounter, EncounterStatus, Patient

    rng = random.Random(2026)
    clinic = Clinic.objects.create(name="Bench Clinic", slug="bench", timezone="America/Chicago")
    doctor = User(username="dr.bench", role="physician", clinic=clinic, first_name="Bench")
    doctor.set_unusable_password()
    doctor.save()
    patient = Patient.objects.create(
        clinic=clinic,
        given_name="Hannah",
        family_name="History",
        date_of_birth=datetime.date(1969, 2, 11),
        sex="female",
        mrn="BENCH-1",
        primary_condition="lumbar-radiculopathy",
        presenting_problem="Low back and left leg pain",
    )
    today = patient_today(patient)
    start = today - datetime.timedelta(days=5 * 365)
    span = (today - start).days

    def spread(i: int, n: int) -> datetime.date:
        return start + datetime.timedelta(days=span * i // max(1, n - 1))

    now = datetime.datetime.now(datetime.UTC)
    rows = [
        Encounter(
            patient=patient,
            clinic=clinic,
            clinician=doctor,
            type="new-consult" if i == 0 else "follow-up",
            date=spread(i, encounters),
            chief_complaint="Low back and leg pain review",
            note="Seen; see the structured note.",
            status=EncounterStatus.SIGNED,
            signed_by=doctor,
            signed_at=now,
        )
        for i in range(encounters)
    ]
    Encounter.objects.bulk_create(rows)
    made = list(Encounter.objects.filter(patient=patient).order_by("date", "id"))
    EncounterNote.objects.bulk_create(
        EncounterNote(
            encounter=e,
            updated_by=doctor,
            history="Leg pain, worse sitting.",
            exam={"slr-positive": "left", "dermatomal-sensory-loss": True},
            assessment="Lumbar radiculopathy.",
            plan_text="Continue the plan.",
        )
        for e in made
    )

    codes = list(INSTRUMENTS)
    measurements = []
    for i in range(questionnaires):
        code = codes[i % len(codes)]
        count, top, score = INSTRUMENTS[code]
        items = [rng.randint(0, top) for _ in range(count)]
        if code == "phq9":
            items[8] = 0
        day = spread(i // len(codes), questionnaires // len(codes))
        measurements.append(
            Measurement(patient=patient, instrument=code, date=day, score=score(items), items=items)
        )
    goal_count = 20
    for i in range(goal_count):
        day = spread(i, goal_count)
        measurements.append(
            Measurement(patient=patient, instrument="sitting-minutes", date=day, score=30.0 + 4 * i)
        )
    Measurement.objects.bulk_create(measurements)

    meds = []
    for i in range(medications):
        name, dose, unit, per_day = DRUGS[i % len(DRUGS)]
        begun = spread(i, medications)
        active = i >= medications - 4
        meds.append(
            MedicationEntry(
                patient=patient,
                name=name,
                dose=dose,
                unit=unit,
                per_day=per_day,
                start=begun,
                stop=None if active else begun + datetime.timedelta(days=30),
                stop_reason="" if active else "switched",
                prescriber=doctor,
            )
        )
    MedicationEntry.objects.bulk_create(meds)

    made_procedures = 0
    if apps.is_installed("stepcare.procedures"):
        from stepcare.procedures.models import ProcedureRecord, Status

        ProcedureRecord.objects.bulk_create(
            ProcedureRecord(
                patient=patient,
                clinic=clinic,
                code=PROCEDURES[i % len(PROCEDURES)],
                status=Status.RESPONSE_RECORDED,
                region="low-back",
                side="left",
                levels="L4-L5",
                performed_on=spread(i, procedures),
                performed_by=doctor,
                relief_percent=float(rng.randint(20, 90)),
                created_by=doctor,
            )
            for i in range(procedures)
        )
        made_procedures = procedures

    Intake.objects.create(
        patient=patient,
        clinic=clinic,
        started_by=doctor,
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        data=INTAKE,
        submitted_at=now,
        triage_level="routine",
    )
    return {
        "patient_id": patient.pk,
        "doctor_id": doctor.pk,
        "history": {
            "years": 5,
            "encounters": encounters,
            "structured_notes": encounters,
            "questionnaires": questionnaires,
            "goal_measures": goal_count,
            "medication_entries": medications,
            "procedures": made_procedures,
        },
    }


# ------------------------------------------------------------------------------------------ measuring
def measure(patient_id: int, doctor_id: int, requests: int, profile: bool) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from stepcare.accounts.models import User

    client = Client(REMOTE_ADDR="10.0.0.1")
    client.force_login(User.objects.get(pk=doctor_id))
    url = reverse("care-chart", kwargs={"patient_id": patient_id})

    cpu: list[float] = []

    def one() -> tuple[float, int]:
        with CaptureQueriesContext(connection) as queries:
            c0, t0 = time.process_time(), time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
            cpu.append((time.process_time() - c0) * 1000)
        if response.status_code != 200:
            sys.exit(f"chart returned {response.status_code}")
        return elapsed, len(queries)

    first_ms, first_queries = one()
    log(f"  first request (evaluates, stores today's snapshot): {first_ms:.1f} ms, {first_queries} queries")
    for _ in range(WARMUP):
        one()
    times, counts = [], []
    profiler = cProfile.Profile() if profile else None
    for i in range(requests):
        if profiler:
            profiler.enable()
        ms, count = one()
        if profiler:
            profiler.disable()
        times.append(ms)
        counts.append(count)
        if (i + 1) % 10 == 0:
            log(f"  {i + 1}/{requests} requests, median so far {statistics.median(times):.1f} ms")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
            int(os.environ.get("BENCH_ROWS", "35"))
        )
        print(out.getvalue())
    q = statistics.quantiles(times, n=100)
    measured_cpu = cpu[-requests:]
    return {
        "requests": requests,
        "warmup_requests": WARMUP,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(q[94], 2),
        "max_ms": round(max(times), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "queries_per_request": sorted(set(counts)),
        # CPU time of this process (Django's share; a PostgreSQL server's work is not in it): less
        # sensitive than wall time to other load on the machine.
        "cpu_p50_ms": round(statistics.median(measured_cpu), 2),
        "cpu_p95_ms": round(statistics.quantiles(measured_cpu, n=100)[94], 2),
        "first_request_ms": round(first_ms, 2),
        "first_request_queries": first_queries,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": q[94] < TARGET_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--encounters", type=int, default=60)
    parser.add_argument("--questionnaires", type=int, default=200)
    parser.add_argument("--medications", type=int, default=40)
    parser.add_argument("--procedures", type=int, default=15)
    parser.add_argument("--start-postgres", action="store_true", help="start a throwaway PostgreSQL server")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the measured requests")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/results/chart.json")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        server = os.environ.get("DATABASE_URL", "").strip()
        if args.start_postgres:
            server = stack.enter_context(throwaway_postgres())
        database_url = stack.enter_context(postgres_database(server)) if server else None
        sqlite_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stepcare-bench-chart.")))
        setup_django(database_url, sqlite_dir)
        from django.db import connection

        log("==> Building five years of history")
        t0 = time.perf_counter()
        built = build_history(
            encounters=args.encounters,
            questionnaires=args.questionnaires,
            medications=args.medications,
            procedures=args.procedures,
        )
        log(f"  built in {time.perf_counter() - t0:.1f} s: {built['history']}")
        log(f"==> Requesting the chart {args.requests} times ({connection.vendor})")
        figures = measure(built["patient_id"], built["doctor_id"], args.requests, args.profile)
        vendor = connection.vendor
        server_version = getattr(connection, "pg_version", None) if vendor == "postgresql" else None
        import sqlite3

        result = {
            "page": "/patients/<id>/care/ (clinician chart: evaluation panel, trend charts, timeline)",
            "database": {
                "vendor": vendor,
                "version": f"{server_version // 10000}.{server_version % 10000}"
                if server_version
                else sqlite3.sqlite_version,
            },
            "history": built["history"],
            **figures,
            "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": f"{platform.machine()} · {os.cpu_count()} CPUs · {platform.platform(terse=True)}",
            "load_average_1m": round(os.getloadavg()[0], 2),
            "debug": False,
        }
    print(json.dumps(result, indent=2))
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        everything = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        everything[result["database"]["vendor"]] = result
        RESULTS.write_text(json.dumps(everything, indent=2, sort_keys=True) + "\n")
        log(f"==> Wrote {RESULTS.relative_to(ROOT)} [{vendor}]")


if __name__ == "__main__":
    main()
