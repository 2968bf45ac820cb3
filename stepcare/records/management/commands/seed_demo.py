"""seed_demo: load the demo clinics once (idempotent, deterministic) and always print the demo logins.

Dates count back from the day the command runs, so the demo's charts always end in the last few weeks;
the same day gives the same data. The clinical history itself is in records/demo_history.py and is
written by records/demo_clinical.py.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from stepcare.accounts.models import Role, User
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.records import demo_data
from stepcare.records.demo_clinical import ClinicalSeeder, Tally, history_for, visit_days
from stepcare.records.models import (
    Clinic,
    Encounter,
    EncounterStatus,
    InsurancePlan,
    Patient,
)
from stepcare.records.selectors import clinic_date


class Command(BaseCommand):
    help = "Create the demo clinics, staff, patients and encounters (does nothing if they exist)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Clinic.objects.filter(slug=demo_data.PRIMARY_CLINIC_SLUG).exists():
            self.stdout.write("Demo data already present; nothing created.")
        else:
            with transaction.atomic():
                self._seed()
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        self._print_logins()

    def _step(self, message: str) -> None:
        self.stdout.write(f"  {message}")
        self.stdout.flush()

    def _seed(self) -> None:
        rng = random.Random(demo_data.RANDOM_SEED)
        # One hash shared by every demo account: the password is published anyway, and argon2 is slow.
        password_hash = make_password(demo_data.DEMO_PASSWORD)

        self.stdout.write("Seeding demo data:")
        clinics = {
            c.slug: Clinic.objects.create(slug=c.slug, name=c.name, timezone=c.timezone)
            for c in demo_data.CLINICS
        }
        self._step(f"clinics: {', '.join(c.name for c in clinics.values())}")

        plans = {
            (slug, p.key): InsurancePlan.objects.create(
                clinic=clinic,
                name=p.name,
                payer=p.payer,
                referral_required=p.referral_required,
                visits_allowed_per_year=p.visits_allowed_per_year,
            )
            for slug, clinic in clinics.items()
            for p in demo_data.INSURANCE_PLANS
        }
        self._step(f"insurance plans: {len(plans)}")

        staff: dict[str, User] = {}
        for s in demo_data.STAFF:
            staff[s.username] = User.objects.create(
                username=s.username,
                first_name=s.first_name,
                last_name=s.last_name,
                role=s.role,
                clinic=clinics[s.clinic],
                credential=s.credential,
                discipline=s.discipline,
                password=password_hash,
            )
        self._step(f"staff accounts: {len(staff)}")
        physicians = {s.clinic: staff[s.username] for s in demo_data.STAFF if s.role == Role.PHYSICIAN}
        nurses = {s.clinic: staff[s.username] for s in demo_data.STAFF if s.role == Role.NURSE}
        front_desks = {s.clinic: staff[s.username] for s in demo_data.STAFF if s.role == Role.FRONT_DESK}
        tally = Tally()
        clinical = ClinicalSeeder(rng=rng, tally=tally)

        total = len(demo_data.PATIENTS)
        encounter_count = 0
        mrn_counter = dict.fromkeys(clinics, 100000)
        for index, p in enumerate(demo_data.PATIENTS, start=1):
            mrn_counter[p.clinic] += rng.randint(7, 97)
            clinic = clinics[p.clinic]
            patient = Patient.objects.create(
                clinic=clinic,
                given_name=p.given_name,
                family_name=p.family_name,
                date_of_birth=p.date_of_birth,
                sex=p.sex,
                mrn=f"{p.clinic[0].upper()}{mrn_counter[p.clinic]}",
                phone=f"555-01{rng.randint(0, 99):02d}",
                email=f"{p.given_name.lower()}.{p.family_name.lower()}@example.invalid",
                address=f"{rng.randint(10, 9999)} Demo Street\nSpringfield",
                pcp_name=rng.choice(("Dr. Ada Placeholder", "Dr. Ben Sample", "Dr. Chen Example")),
                pcp_phone=f"555-02{rng.randint(0, 99):02d}",
                pcp_fax=f"555-03{rng.randint(0, 99):02d}",
                insurance=plans[(p.clinic, p.insurance)],
                member_id=f"{p.insurance[:3].upper()}{rng.randint(10**7, 10**8 - 1)}",
                presenting_problem=p.presenting_problem,
                primary_condition=p.condition,
                story=p.story,
            )
            today = clinic_date(clinic)  # the clinic's today
            encounters = self._encounters(patient, p, physicians, nurses, rng, today)
            encounter_count += len(encounters)
            login = None
            if p.login:
                login = User.objects.create(
                    username=p.login,
                    first_name=p.given_name,
                    last_name=p.family_name,
                    role=Role.PATIENT,
                    clinic=clinic,
                    patient=patient,
                    password=password_hash,
                )
            clinical.seed(
                patient=patient,
                p=p,
                physician=physicians[p.clinic],
                intake_user=login or front_desks.get(p.clinic) or physicians[p.clinic],
                encounters=encounters,
                today=today,
            )
            if index % 8 == 0 or index == total:
                self._step(f"patients with their history: {index}/{total}")
        self._step(f"encounters: {encounter_count}")
        for name, count in tally.counts.items():
            self._step(f"{name}: {count}")
        self._step(f"awaiting triage: {', '.join(tally.awaiting_triage) or 'none'}")
        audit_record(
            user=staff["admin.shah"],
            action=Action.CREATE,
            detail={"seed_demo": {"patients": total, "encounters": encounter_count, **tally.counts}},
        )

    def _encounters(
        self,
        patient: Patient,
        p: demo_data.DemoPatient,
        physicians: dict[str, User],
        nurses: dict[str, User],
        rng: random.Random,
        today: datetime.date,
    ) -> list[Encounter]:
        templates = demo_data.visit_templates(p.condition, p.presenting_problem, p.visits)
        past_days = visit_days(history_for(p), p.visits)
        physician = physicians[p.clinic]
        encounters = []
        for template, days in zip(templates[:-1], past_days, strict=True):
            day = today - datetime.timedelta(days=days)
            start = datetime.time(hour=rng.randint(8, 15), minute=rng.choice((0, 15, 30, 45)))
            encounter = Encounter.objects.create(
                patient=patient,
                clinic=patient.clinic,
                type=template.type,
                date=day,
                start_time=start,
                clinician=physician,
                status=EncounterStatus.SIGNED,
                chief_complaint=template.chief_complaint,
                note=template.note,
                signed_at=datetime.datetime.combine(day, datetime.time(hour=18), tzinfo=datetime.UTC),
                signed_by=physician,
            )
            encounters.append(encounter)
        draft = templates[-1]
        draft_day = today if p.seen_today else today - datetime.timedelta(days=demo_data.DRAFT_DAYS_BEFORE)
        # Some drafts belong to the nurse so the dashboard shows more than one clinician's work.
        clinician = (
            physician if p.seen_today or p.clinic not in nurses or rng.random() < 0.7 else nurses[p.clinic]
        )
        encounters.append(
            Encounter.objects.create(
                patient=patient,
                clinic=patient.clinic,
                type=draft.type,
                date=draft_day,
                start_time=datetime.time(hour=rng.randint(8, 16), minute=rng.choice((0, 20, 40))),
                clinician=clinician,
                status=EncounterStatus.DRAFT,
                chief_complaint=draft.chief_complaint,
                note=draft.note,
            )
        )
        return encounters

    def _print_logins(self) -> None:
        rows: list[tuple[str, str, str]] = []
        seen_roles: set[str] = set()
        for s in demo_data.STAFF:
            if s.role not in seen_roles and s.clinic == demo_data.PRIMARY_CLINIC_SLUG:
                rows.append((s.username, demo_data.DEMO_PASSWORD, s.role))
                seen_roles.add(s.role)
        patient_login = next(p.login for p in demo_data.PATIENTS if p.login)
        rows.append((patient_login, demo_data.DEMO_PASSWORD, Role.PATIENT.value))
        other = next(s for s in demo_data.STAFF if s.clinic != demo_data.PRIMARY_CLINIC_SLUG)
        rows.append((other.username, demo_data.DEMO_PASSWORD, f"{other.role} ({other.clinic})"))

        widths = [max(len(r[i]) for r in [("username", "password", "role"), *rows]) for i in range(3)]
        line = "-+-".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write("Demo logins (demo data only; never use these passwords elsewhere):")
        self.stdout.write(line)
        for row in [("username", "password", "role"), *rows]:
            self.stdout.write(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        self.stdout.write(line)
