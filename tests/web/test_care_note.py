"""Structured encounter note: prefill, exam findings feeding the engine, signing, immutability, amendments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import EncounterNote, EvaluationSnapshot
from stepcare.records.models import Encounter, EncounterAmendment, Patient, SignedEncounterError
from tests.web.care_helpers import add_note, use_intake
from tests.web.conftest import client_for

NOTE = {
    "history": "Left leg pain for four months.",
    "slr_positive": "left",
    "dermatomal_sensory_loss": "yes",
    "reflex_loss": "no",
    "weakness": "left EHL 4/5\n",
    "si_provocation_positive": "1",
    "assessment": "Left L5 radiculopathy likely.",
    "plan_text": "PT, education.",
    "diagnoses": ["lumbar-radiculopathy"],
}


def _url(encounter: Encounter, name: str = "encounter-note") -> str:
    return reverse(name, kwargs={"encounter_id": encounter.pk})


def test_new_note_is_prefilled_from_intake_evaluation_and_plan(
    p1: Patient, alice: User, draft_p1: Encounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_intake(monkeypatch)
    client = client_for(alice)
    client.get(reverse("care-chart", kwargs={"patient_id": p1.pk}))  # evaluation
    client.get(reverse("care-plan", kwargs={"patient_id": p1.pk}))  # draft plan
    item = p1.care_plans.get().items.get(code="education")
    client.post(
        reverse("care-plan-decide", kwargs={"patient_id": p1.pk, "item_id": item.pk}),
        {f"i{item.pk}-decision": "accepted"},
    )

    page = client.get(_url(draft_p1)).content.decode()

    assert "Prefilled from the intake" in page
    assert "Pain shoots down my left leg since I lifted a box." in page
    assert "Radiates to: thigh, below-knee." in page
    assert "Differential:" in page and "Lumbar radiculopathy" in page
    assert f"- {item.label}" in page
    assert not EncounterNote.objects.exists()  # prefill is a suggestion until saved


def test_saving_the_exam_stores_contract_findings(alice: User, draft_p1: Encounter) -> None:
    response = client_for(alice).post(_url(draft_p1), NOTE)

    assert response.status_code == 302
    note = EncounterNote.objects.get(encounter=draft_p1)
    assert note.exam == {
        "slr-positive": "left",
        "dermatomal-sensory-loss": True,
        "reflex-loss": False,
        "weakness": ["left EHL 4/5"],
        "si-provocation-positive": 1,
    }
    assert note.diagnoses == ["lumbar-radiculopathy"]
    assert note.updated_by == alice


def test_an_out_of_range_finding_is_refused_and_everything_typed_is_kept(
    alice: User, draft_p1: Encounter
) -> None:
    response = client_for(alice).post(_url(draft_p1), {**NOTE, "si_provocation_positive": "7"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a whole number from 0 to 6." in page
    assert "Left leg pain for four months." in page
    assert "left EHL 4/5" in page
    assert 'value="7"' in page
    assert not EncounterNote.objects.exists()


def test_exam_entered_in_the_note_changes_the_evaluation(
    p1: Patient, alice: User, draft_p1: Encounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_intake(monkeypatch)
    client = client_for(alice)
    client.post(reverse("care-evaluate", kwargs={"patient_id": p1.pk}))
    before = EvaluationSnapshot.objects.get(patient=p1).result["differential"]

    client.post(_url(draft_p1), {"slr_positive": "left", "dermatomal_sensory_loss": "yes"})
    client.post(reverse("care-evaluate", kwargs={"patient_id": p1.pk}))

    after = EvaluationSnapshot.objects.filter(patient=p1).order_by("-id").first()
    assert after is not None
    top = after.result["differential"][0]
    assert top["code"] == "lumbar-radiculopathy"
    assert top["score"] > next(d["score"] for d in before if d["code"] == "lumbar-radiculopathy")
    assert after.case["exam"] == {"slr-positive": "left", "dermatomal-sensory-loss": True}


def test_physician_signs_and_the_note_is_frozen(alice: User, draft_p1: Encounter) -> None:
    client = client_for(alice)
    client.post(_url(draft_p1), NOTE)

    response = client.post(_url(draft_p1, "encounter-note-sign"))

    assert response.status_code == 302
    draft_p1.refresh_from_db()
    assert draft_p1.is_signed and draft_p1.signed_by == alice
    edit = client.post(_url(draft_p1), {**NOTE, "history": "changed after signing"})
    assert edit.status_code == 302
    note = EncounterNote.objects.get(encounter=draft_p1)
    assert note.history == NOTE["history"]
    assert AuditEvent.objects.filter(action="denied", detail__reason="signed").count() == 1
    page = client.get(_url(draft_p1)).content.decode()
    assert "Save note" not in page and "Add an amendment" in page
    assert "slr-positive" in page


def test_signed_note_is_refused_by_the_model_layer(alice: User, draft_p1: Encounter) -> None:
    note = add_note(draft_p1, alice, history="before signing")
    Encounter.objects.filter(pk=draft_p1.pk).update(status="signed")

    note.history = "tampered"
    with pytest.raises(SignedEncounterError):
        note.save()
    with pytest.raises(SignedEncounterError):
        EncounterNote.objects.filter(pk=note.pk).update(history="tampered")
    with pytest.raises(SignedEncounterError):
        note.delete()
    with pytest.raises(SignedEncounterError):
        EncounterNote.objects.filter(pk=note.pk).delete()
    assert EncounterNote.objects.get(pk=note.pk).history == "before signing"


def test_amendment_is_appended_and_shown(alice: User, bob: User, draft_p1: Encounter) -> None:
    client_for(alice).post(_url(draft_p1), NOTE)
    client_for(alice).post(_url(draft_p1, "encounter-note-sign"))

    response = client_for(bob).post(
        _url(draft_p1, "encounter-note-amend"),
        {"reason": "Reflex re-tested", "text": "Left ankle reflex absent."},
    )

    assert response.status_code == 302
    amendment = EncounterAmendment.objects.get(encounter=draft_p1)
    assert (amendment.author, amendment.reason) == (bob, "Reflex re-tested")
    page = client_for(alice).get(_url(draft_p1)).content.decode()
    assert "Left ankle reflex absent." in page and "reason: Reflex re-tested" in page


def test_invalid_amendment_on_the_note_page_keeps_the_note_page(alice: User, draft_p1: Encounter) -> None:
    client_for(alice).post(_url(draft_p1), NOTE)
    client_for(alice).post(_url(draft_p1, "encounter-note-sign"))

    response = client_for(alice).post(
        _url(draft_p1, "encounter-note-amend"), {"reason": "", "text": "Kept text"}
    )

    assert response.status_code == 400
    assert "care/note.html" in [t.name for t in response.templates]
    assert response.context["amend_form"].errors["reason"] == ["Say why the signed note needs an amendment."]
    assert "Kept text" in response.content.decode()
    assert AuditEvent.objects.filter(action="view", detail__page="note").exists()
    assert not EncounterAmendment.objects.exists()


def test_amending_a_draft_is_refused(alice: User, draft_p1: Encounter) -> None:
    response = client_for(alice).post(_url(draft_p1, "encounter-note-amend"), {"reason": "x", "text": "y"})

    assert response.status_code == 302
    assert not EncounterAmendment.objects.exists()


def test_only_a_physician_signs(bob: User, draft_p1: Encounter) -> None:
    assert client_for(bob).post(_url(draft_p1, "encounter-note-sign")).status_code == 403
    draft_p1.refresh_from_db()
    assert not draft_p1.is_signed
