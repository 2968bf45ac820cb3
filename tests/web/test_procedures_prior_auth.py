"""The prior-authorization packet: the payer's criteria, what the chart meets (with dates) and what is missing."""

from __future__ import annotations

import datetime
import re
import sys

import pytest
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.procedures.models import ProcedureRecord
from stepcare.records.models import Patient
from tests.web.care_helpers import RADICULAR_PAIN, add_note, use_intake
from tests.web.conftest import client_for, make_encounter
from tests.web.procedure_helpers import make_procedure, performed

SERVICE_DAY = datetime.date(2026, 12, 10)


def _section(body: str, kind: str) -> list[str]:
    found = re.search(rf'<ul class="criteria {kind}">(.*?)</ul>', body, re.S)
    return [] if found is None else [li.strip() for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


@pytest.fixture
def facet_chart(p1: Patient, alice: User) -> Patient:
    encounter = make_encounter(p1, alice, date=datetime.date(2026, 9, 1))
    add_note(encounter, alice, diagnoses=["lumbar-facet-pain"])
    return p1


@pytest.fixture
def rfa(facet_chart: Patient, alice: User) -> ProcedureRecord:
    return make_procedure(facet_chart, alice, code="facet-rfa", planned_date=SERVICE_DAY, levels="L4-L5")


def test_one_block_at_85_percent_leaves_the_second_block_missing(
    facet_chart: Patient, alice: User, rfa: ProcedureRecord
) -> None:
    performed(facet_chart, alice, "medial-branch-block", datetime.date(2026, 10, 1), relief=85.0)
    body = client_for(alice).get(reverse("procedure-prior-auth", args=[rfa.pk])).content.decode()
    met, unmet = _section(body, "met"), _section(body, "unmet")

    assert any(
        line.startswith("predominantly axial facet-mediated spine pain") and "lumbar-facet-pain" in line
        for line in met
    )
    assert any(line.startswith("at most 2 RFA sessions per spinal region") for line in met)
    [blocks] = [line for line in unmet if line.startswith("two diagnostic medial branch blocks")]
    assert "MBB 2026-10-01: 85% relief (&gt;= 80%)" in blocks
    assert "need 2 at &gt;= 80% in one region, have 1" in blocks
    assert "Medicare LCD L38773" in body and "version 32" in body
    assert "Prepared by Alice" in body and "ACME123" in body and "Acme PPO" in body
    assert "Medial branch block (diagnostic facet block) 2026-10-01" in body


def test_two_blocks_of_at_least_80_percent_meet_the_block_criterion(
    facet_chart: Patient, alice: User, rfa: ProcedureRecord
) -> None:
    performed(facet_chart, alice, "medial-branch-block", datetime.date(2026, 9, 15), relief=80.0)
    performed(facet_chart, alice, "medial-branch-block", datetime.date(2026, 10, 1), relief=90.0)
    body = client_for(alice).get(reverse("procedure-prior-auth", args=[rfa.pk])).content.decode()
    [blocks] = [
        line for line in _section(body, "met") if line.startswith("two diagnostic medial branch blocks")
    ]
    assert "MBB 2026-09-15: 80% relief" in blocks and "MBB 2026-10-01: 90% relief" in blocks
    assert not any(line.startswith("two diagnostic") for line in _section(body, "unmet"))


def test_a_chart_without_a_diagnosis_lists_it_as_missing(p1: Patient, alice: User) -> None:
    rfa = make_procedure(p1, alice, code="facet-rfa", planned_date=SERVICE_DAY)
    body = client_for(alice).get(reverse("procedure-prior-auth", args=[rfa.pk])).content.decode()
    unmet = _section(body, "unmet")
    assert any(
        "no confirmed diagnosis among lumbar-facet-pain, cervical-facet-pain" in line for line in unmet
    )
    assert any("no medial branch blocks" in line.lower() or "no MBB recorded" in line for line in unmet)


def _weasyprint_loads() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:  # pango missing: scripts/test installs it as root and CI never skips
        return False
    return True


@pytest.mark.skipif(not _weasyprint_loads(), reason="WeasyPrint needs pango: apt-get install libpango-1.0-0")
def test_the_packet_pdf_is_a_pdf(
    facet_chart: Patient, fiona: User, alice: User, rfa: ProcedureRecord
) -> None:
    performed(facet_chart, alice, "medial-branch-block", datetime.date(2026, 10, 1), relief=85.0)
    response = client_for(fiona).get(reverse("procedure-prior-auth-pdf", args=[rfa.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_id=str(rfa.pk), detail__page="prior-auth-pdf").count() == 1


def test_without_weasyprint_the_pdf_says_so_and_the_html_still_works(
    monkeypatch: pytest.MonkeyPatch, alice: User, rfa: ProcedureRecord
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import now raises ImportError
    response = client_for(alice).get(reverse("procedure-prior-auth-pdf", args=[rfa.pk]))
    assert response.status_code == 503
    assert "Print to PDF" in response.content.decode()
    assert client_for(alice).get(reverse("procedure-prior-auth", args=[rfa.pk])).status_code == 200


# ------------------------------------------------------------------------------ ICD-10-CM codes


def _codes_section(body: str) -> str:
    found = re.search(r'<section class="diagnosis-codes".*?</section>', body, re.S)
    assert found is not None, "the packet has a diagnosis-codes section"
    return found.group(0)


def _code_rows(body: str) -> list[str]:
    return re.findall(r'<strong class="icd-code">([^<]+)</strong>', _codes_section(body))


def test_the_packet_codes_the_confirmed_diagnosis_for_each_staff_role(
    facet_chart: Patient, alice: User, bob: User, fiona: User, rfa: ProcedureRecord
) -> None:
    for user in (alice, bob, fiona):
        body = client_for(user).get(reverse("procedure-prior-auth", args=[rfa.pk])).content.decode()
        section = _codes_section(body)
        assert _code_rows(body) == ["M47.816"]
        assert "Spondylosis without myelopathy or radiculopathy, lumbar region" in section
        assert "Lumbar facet joint pain — confirmed by clinician" in section
        assert "M47.817 (Spondylosis without myelopathy or radiculopathy, lumbosacral region)" in section
        assert "CMS ICD-10-CM code set" in section


def _knee_chart(
    monkeypatch: pytest.MonkeyPatch, patient: Patient, by: User, sites: list[dict[str, str]]
) -> None:
    use_intake(monkeypatch, {"pain": {"duration_days": 200, "sites": sites}})
    encounter = make_encounter(patient, by, date=datetime.date(2026, 9, 1))
    add_note(encounter, by, diagnoses=["knee-osteoarthritis"])


@pytest.mark.parametrize(
    ("sites", "procedure_side", "code"),
    [
        ([{"region": "knee", "side": "right"}], "right", "M17.11"),
        ([{"region": "knee", "side": "left"}], "left", "M17.12"),
        ([{"region": "knee", "side": "left"}, {"region": "knee", "side": "right"}], "right", "M17.0"),
        ([{"region": "knee"}], "left", "M17.12"),  # the procedure's side fills the unrecorded one
        ([{"region": "knee"}], "", "M17.9"),
    ],
)
def test_knee_osteoarthritis_is_coded_by_the_side_of_the_pain_and_the_procedure(
    monkeypatch: pytest.MonkeyPatch,
    p1: Patient,
    alice: User,
    sites: list[dict[str, str]],
    procedure_side: str,
    code: str,
) -> None:
    _knee_chart(monkeypatch, p1, alice, sites)
    gnb = make_procedure(
        p1,
        alice,
        code="genicular-nerve-block",
        region="knee",
        side=procedure_side,
        levels="",
        planned_date=SERVICE_DAY,
    )
    body = client_for(alice).get(reverse("procedure-prior-auth", args=[gnb.pk])).content.decode()
    assert _code_rows(body) == [code]
    unspecified = "the side is not recorded" in _codes_section(body)
    assert unspecified == (code == "M17.9")


def test_a_procedure_on_the_other_side_than_the_pain_is_flagged(
    monkeypatch: pytest.MonkeyPatch, p1: Patient, alice: User
) -> None:
    _knee_chart(monkeypatch, p1, alice, [{"region": "knee", "side": "left"}])
    gnb = make_procedure(
        p1,
        alice,
        code="genicular-nerve-block",
        region="knee",
        side="right",
        levels="",
        planned_date=SERVICE_DAY,
    )
    body = client_for(alice).get(reverse("procedure-prior-auth", args=[gnb.pk])).content.decode()
    assert _code_rows(body) == ["M17.12"]
    assert "The procedure is on the right side but M17.12 codes the left side" in _codes_section(body)


def test_without_a_confirmed_diagnosis_the_leading_indicated_differential_is_coded_as_unconfirmed(
    monkeypatch: pytest.MonkeyPatch, p1: Patient, alice: User
) -> None:
    use_intake(monkeypatch, {**RADICULAR_PAIN, "imaging": [
        {"modality": "mri", "date": "2026-08-01", "region": "low-back", "findings": ["disc-herniation"]}]})  # fmt: skip
    esi = make_procedure(p1, alice, code="epidural-steroid-injection", planned_date=SERVICE_DAY)
    body = client_for(alice).get(reverse("procedure-prior-auth", args=[esi.pk])).content.decode()
    section = _codes_section(body)
    assert _code_rows(body) == ["M51.16"]  # a disc herniation on lumbar imaging: the disc-disorder code
    assert "Lumbar radiculopathy (sciatica) — <strong>not confirmed</strong>" in section
    assert "Not confirmed: the leading diagnosis among this procedure&#x27;s indications" in section
    assert "M54.16 (Radiculopathy, lumbar region)" in section


def test_a_chart_without_any_indicated_diagnosis_says_no_code_and_what_to_add(
    p1: Patient, alice: User
) -> None:
    encounter = make_encounter(p1, alice, date=datetime.date(2026, 9, 1))
    add_note(encounter, alice, diagnoses=["fibromyalgia"])
    rfa = make_procedure(p1, alice, code="facet-rfa", planned_date=SERVICE_DAY)
    body = client_for(alice).get(reverse("procedure-prior-auth", args=[rfa.pk])).content.decode()
    section = _codes_section(body)
    assert _code_rows(body) == []
    assert "No ICD-10-CM code can be chosen" in section
    assert "(Lumbar facet joint pain, Cervical facet joint pain)" in section
    assert (
        "Record the diagnosis that indicates the procedure in the encounter note&#x27;s diagnoses" in section
    )
    assert "Confirmed in the chart but not an indication for this procedure: Fibromyalgia." in section


def test_a_patient_user_cannot_open_the_coded_packet(pat: User, rfa: ProcedureRecord) -> None:
    response = client_for(pat).get(reverse("procedure-prior-auth", args=[rfa.pk]))
    assert response.status_code in (302, 403)
    assert b"M47.816" not in response.content


@pytest.mark.skipif(not _weasyprint_loads(), reason="WeasyPrint needs pango: apt-get install libpango-1.0-0")
def test_the_pdf_packet_carries_the_icd10cm_code_and_still_renders(
    monkeypatch: pytest.MonkeyPatch, facet_chart: Patient, fiona: User, rfa: ProcedureRecord
) -> None:
    import weasyprint

    documents: list[str] = []
    real_html = weasyprint.HTML

    def recording_html(*, string: str) -> object:
        documents.append(string)
        return real_html(string=string)

    monkeypatch.setattr(weasyprint, "HTML", recording_html)
    response = client_for(fiona).get(reverse("procedure-prior-auth-pdf", args=[rfa.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000
    [document] = documents
    assert _code_rows(document) == ["M47.816"]
    assert "Spondylosis without myelopathy or radiculopathy, lumbar region" in document
