"""Times show in the clinic's zone with its abbreviation, 'today' is the clinic's day; storage stays UTC."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.records.models import Clinic, Encounter, EncounterAmendment, Patient
from stepcare.records.time_zones import TIME_ZONE_ERROR, clinic_zone
from stepcare.web.env import env_time_zone
from stepcare.web.middleware import ClinicTimeZoneMiddleware
from tests.web.conftest import client_for, make_encounter, make_patient, make_user
from tests.web.test_settings import run_settings

# 18:00 UTC on 2 March 2026 is noon in Chicago (CST, UTC-6; daylight time starts on 8 March).
SIGNED_AT = datetime.datetime(2026, 3, 2, 18, 0, tzinfo=datetime.UTC)
# 05:30 UTC on 3 March is 23:30 on 2 March in Chicago: the UTC day is already the 3rd, the clinic's the 2nd.
LATE_EVENING = datetime.datetime(2026, 3, 3, 5, 30, tzinfo=datetime.UTC)


@pytest.fixture
def tokyo(db: None) -> Clinic:
    return Clinic.objects.create(name="Tokyo Clinic", slug="tokyo", timezone="Asia/Tokyo")


@pytest.fixture
def late_evening() -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=LATE_EVENING):
        yield


def zone_during_request(user: User | AnonymousUser, view_raises: bool = False) -> str:
    """The zone a view sees when the middleware runs for this user."""
    seen: dict[str, str] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["zone"] = timezone.get_current_timezone_name()
        if view_raises:
            raise RuntimeError("view failed")
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    if view_raises:
        with pytest.raises(RuntimeError):
            ClinicTimeZoneMiddleware(view)(request)
    else:
        ClinicTimeZoneMiddleware(view)(request)
    return seen["zone"]


# ------------------------------------------------------------------------------------------ middleware
def test_middleware_activates_each_users_clinic_zone(alice: User, charlie: User, tokyo: Clinic) -> None:
    kenji = make_user("kenji", "physician", tokyo)

    zones = [zone_during_request(u) for u in (alice, kenji, charlie)]

    assert zones == ["America/Chicago", "Asia/Tokyo", "UTC"]


def test_a_patient_gets_the_zone_of_the_clinic_holding_their_record(pat: User, tokyo: Clinic) -> None:
    record = make_patient(tokyo, mrn="T-1")
    no_clinic_on_user = User.objects.create(username="hana", role="patient", clinic=None, patient=record)

    assert zone_during_request(pat) == "America/Chicago"
    assert zone_during_request(no_clinic_on_user) == "Asia/Tokyo"


@override_settings(TIME_ZONE="Europe/Lisbon")
def test_anonymous_requests_keep_the_deployment_zone() -> None:
    assert zone_during_request(AnonymousUser()) == "Europe/Lisbon"


def test_the_zone_is_reset_after_the_request_even_when_the_view_fails(alice: User) -> None:
    assert zone_during_request(alice, view_raises=True) == "America/Chicago"
    assert timezone.get_current_timezone_name() == "UTC"


# ----------------------------------------------------------------------------------------------- pages
def triaged_intake(patient: Patient, by: User) -> Intake:
    return Intake.objects.create(
        patient=patient,
        clinic=patient.clinic,
        started_by=by,
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        submitted_at=SIGNED_AT,
        triage_level="urgent",
        triage_reasons=["urgent reason"],
        triage_action="urgent action",
        triaged_at=SIGNED_AT,
    )


def test_triage_queue_shows_each_clinics_local_time_and_zone(
    alice: User, bob: User, p1: Patient, charlie: User, pb: Patient
) -> None:
    triaged_intake(p1, alice)
    triaged_intake(pb, charlie)

    chicago = client_for(bob).get(reverse("triage-queue")).content.decode()
    utc = client_for(charlie).get(reverse("triage-queue")).content.decode()

    assert '<time datetime="2026-03-02T12:00:00-06:00">2026-03-02 12:00 CST</time>' in chicago
    assert '<time datetime="2026-03-02T18:00:00+00:00">2026-03-02 18:00 UTC</time>' in utc


def test_audit_log_shows_local_times_and_filters_by_the_clinics_day(ada: User, alice: User) -> None:
    evening = datetime.datetime(2026, 3, 3, 3, 0, tzinfo=datetime.UTC)  # 21:00 on 2 March in Chicago
    AuditEvent(user=alice, username="alice", role="physician", clinic=alice.clinic, action="view").save()
    AuditEvent(
        user=alice,
        username="alice",
        role="physician",
        clinic=alice.clinic,
        action="update",
        timestamp=evening,
    ).save()
    client = client_for(ada)

    page = client.get(reverse("audit-log"), {"action": "update"})
    second = client.get(reverse("audit-log"), {"action": "update", "date_from": "2026-03-02"})
    third = client.get(reverse("audit-log"), {"action": "update", "date_to": "2026-03-02"})
    html = page.content.decode()

    assert "2026-03-02 21:00:00 CST" in html
    assert "Time (America/Chicago)" in html and "times in America/Chicago" in html
    assert "From (America/Chicago)" in html
    assert [e.timestamp for e in second.context["page"].object_list] == [evening]
    assert [e.timestamp for e in third.context["page"].object_list] == [evening]
    assert (
        client.get(reverse("audit-log"), {"action": "update", "date_from": "2026-03-03"})
        .context["page"]
        .paginator.count
        == 0
    )


def test_signed_note_and_amendment_times_are_local(alice: User, signed_p1: Encounter) -> None:
    amended = datetime.datetime(2026, 3, 4, 15, 30, tzinfo=datetime.UTC)
    EncounterAmendment.objects.create(
        encounter=signed_p1, author=alice, created_at=amended, text="Late entry.", reason="Omission"
    )

    html = client_for(alice).get(reverse("encounter-detail", args=[signed_p1.pk])).content.decode()

    assert "signed by Alice on 2026-03-02 12:00 CST" in html
    assert "2026-03-04 09:30 CST · Alice · reason: Omission" in html


def test_signing_stores_utc_whatever_zone_the_page_showed(alice: User, draft_p1: Encounter) -> None:
    with mock.patch("django.utils.timezone.now", return_value=SIGNED_AT):
        client_for(alice).post(reverse("encounter-sign", args=[draft_p1.pk]))

    with connection.cursor() as cursor:  # the raw column, as the database holds it
        cursor.execute("SELECT signed_at FROM records_encounter WHERE id = %s", [draft_p1.pk])
        (stored,) = cursor.fetchone()
    assert str(stored)[:16] == "2026-03-02 18:00"


# -------------------------------------------------------------------------------- the clinic's 'today'
def test_late_evening_in_chicago_is_still_the_clinics_day_not_utcs(
    late_evening: None, alice: User, pat: User, p1: Patient
) -> None:
    p1.date_of_birth = datetime.date(1970, 3, 3)  # birthday tomorrow in Chicago, today in UTC
    p1.save(update_fields=["date_of_birth"])
    make_encounter(p1, alice, date=datetime.date(2026, 3, 2))

    dashboard = client_for(alice).get(reverse("dashboard"))
    new_encounter = client_for(alice).get(reverse("encounter-create", args=[p1.pk]))
    portal = client_for(pat).get(reverse("portal"))

    assert dashboard.context["summary"].today == datetime.date(2026, 3, 2)
    assert "Your encounters today (2026-03-02)" in dashboard.content.decode()
    assert len(dashboard.context["summary"].my_encounters_today) == 1
    assert new_encounter.context["form"].initial["date"] == datetime.date(2026, 3, 2)
    assert "(age 55)" in portal.content.decode()


# ------------------------------------------------------------------------------------ the clinic's zone
def test_an_unknown_time_zone_is_refused_under_the_field_name(db: None) -> None:
    clinic = Clinic(name="Mars Clinic", slug="mars", timezone="Mars/Olympus_Mons")

    with pytest.raises(ValidationError) as refused:
        clinic.full_clean()

    assert refused.value.message_dict == {"timezone": [TIME_ZONE_ERROR.format(value="Mars/Olympus_Mons")]}
    assert "Time zone 'Mars/Olympus_Mons'" in refused.value.message_dict["timezone"][0]


def test_a_known_time_zone_is_accepted(db: None) -> None:
    Clinic(name="Denver Clinic", slug="denver", timezone="America/Denver").full_clean()


@override_settings(TIME_ZONE="America/Denver")
def test_a_new_clinic_defaults_to_the_deployment_zone(db: None) -> None:
    assert Clinic.objects.create(name="New Clinic", slug="new").timezone == "America/Denver"


def test_the_deployment_zone_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEPCARE_TIME_ZONE", "America/Chicago")
    assert env_time_zone("STEPCARE_TIME_ZONE", default="UTC") == "America/Chicago"
    monkeypatch.setenv("STEPCARE_TIME_ZONE", " ")
    assert env_time_zone("STEPCARE_TIME_ZONE", default="UTC") == "UTC"
    monkeypatch.setenv("STEPCARE_TIME_ZONE", "Central")
    with pytest.raises(
        ImproperlyConfigured, match=r"STEPCARE_TIME_ZONE must be an IANA time zone.*'Central'"
    ):
        env_time_zone("STEPCARE_TIME_ZONE", default="UTC")


def test_settings_use_the_environments_zone_and_refuse_a_typo() -> None:
    code = "import stepcare.web.settings as s; print(s.TIME_ZONE, s.USE_TZ)"

    berlin = run_settings(code, STEPCARE_MODE="dev", STEPCARE_TIME_ZONE="Europe/Berlin")
    typo = run_settings(code, STEPCARE_MODE="dev", STEPCARE_TIME_ZONE="Europe/Berln")

    assert berlin.stdout.split() == ["Europe/Berlin", "True"]
    assert typo.returncode != 0 and "STEPCARE_TIME_ZONE" in typo.stderr


def test_the_command_lists_shows_and_changes_a_clinics_zone(
    clinic_a: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("clinic_time_zone")
    call_command("clinic_time_zone", "clinic-a", "America/Denver")

    clinic_a.refresh_from_db()
    out = capsys.readouterr().out
    assert "clinic-a\tAmerica/Chicago\tClinic A" in out
    assert "Clinic A: time zone America/Chicago -> America/Denver." in out
    assert clinic_a.timezone == "America/Denver"


def test_the_command_refuses_an_unknown_zone_or_clinic(clinic_a: Clinic) -> None:
    with pytest.raises(CommandError, match="time zone: Time zone 'Central' is not an IANA"):
        call_command("clinic_time_zone", "clinic-a", "Central")
    with pytest.raises(CommandError, match="No clinic with slug 'nowhere'"):
        call_command("clinic_time_zone", "nowhere", "UTC")

    clinic_a.refresh_from_db()
    assert clinic_a.timezone == "America/Chicago"


# ------------------------------------------------------------------------------------------ the filter
ZONES = ("UTC", "America/Chicago", "America/New_York", "Asia/Tokyo", "Asia/Kolkata", "Pacific/Chatham")
STAMP = Template('{% load local_time %}{{ when|stamp }}|{{ when|stamp:"seconds" }}')


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    instant=st.datetimes(
        min_value=datetime.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
        max_value=datetime.datetime(2037, 12, 31),  # noqa: DTZ001 - made aware by timezones=
        timezones=st.just(datetime.UTC),
    ),
    zone=st.sampled_from(ZONES),
)
def test_stamp_shows_the_instants_wall_clock_in_the_active_zone(
    instant: datetime.datetime, zone: str
) -> None:
    local = instant.astimezone(zoneinfo.ZoneInfo(zone))

    with timezone.override(zone):
        minutes, seconds = STAMP.render(Context({"when": instant})).split("|")

    assert minutes == f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
    assert seconds == f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def test_stamp_of_a_missing_time_is_empty() -> None:
    assert STAMP.render(Context({"when": None})) == "|"


@override_settings(TIME_ZONE="Asia/Tokyo")
def test_a_clinic_without_a_known_zone_uses_the_deployment_zone(clinic_a: Clinic) -> None:
    clinic_a.timezone = "Mars/Olympus_Mons"  # e.g. a name dropped from a later tz database

    assert (str(clinic_zone(clinic_a)), str(clinic_zone(None))) == ("Asia/Tokyo", "Asia/Tokyo")
