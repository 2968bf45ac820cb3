"""Signing and amending an encounter: one implementation behind two pages.

The encounter page (records) and the note page (care) both offer "Sign" and "Add amendment". Their views
keep their own URL names and `role_required` roles and delegate here; `EncounterPage` says where to go
back to, the word the messages use and how to show the page again with a faulty amendment form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from stepcare.accounts.models import User
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.records import selectors, services
from stepcare.records.forms import AmendmentForm
from stepcare.records.models import Encounter


@dataclass(frozen=True)
class EncounterPage:
    url_name: str  # redirected to with `encounter_id`
    noun: str  # "encounter" or "note", as the messages call it
    render_with_amendment: Callable[[HttpRequest, Encounter, AmendmentForm], HttpResponse]
    view_detail: dict[str, Any] | None = None  # the audit detail of a page view

    def back(self, encounter: Encounter) -> HttpResponse:
        return redirect(self.url_name, encounter_id=encounter.pk)


def _load(request: HttpRequest, encounter_id: int) -> tuple[User, Encounter]:
    user = request.user
    assert isinstance(user, User)
    return user, selectors.get_encounter_for_user(user=user, encounter_id=encounter_id, request=request)


def _deny(request: HttpRequest, encounter: Encounter, reason: str) -> None:
    audit_record(
        request=request,
        action=Action.DENIED,
        patient=encounter.patient,
        obj=encounter,
        detail={"reason": reason},
    )


def sign_from_page(request: HttpRequest, encounter_id: int, *, page: EncounterPage) -> HttpResponse:
    """Sign a draft encounter (a second sign is refused and audited as denied), then back to the page."""
    user, encounter = _load(request, encounter_id)
    if encounter.is_signed:
        _deny(request, encounter, "already-signed")
        messages.info(request, "This encounter was already signed.")
    else:
        services.encounter_sign(actor=user, encounter=encounter, request=request)
        messages.success(
            request, f"{page.noun.capitalize()} signed. Further changes are added as amendments."
        )
    return page.back(encounter)


def amend_from_page(request: HttpRequest, encounter_id: int, *, page: EncounterPage) -> HttpResponse:
    """Append an amendment to a signed encounter; a faulty form shows the page again with its errors (400)."""
    user, encounter = _load(request, encounter_id)
    if not encounter.is_signed:
        _deny(request, encounter, "not-signed")
        messages.error(request, f"Only signed {page.noun}s take amendments; edit the draft instead.")
        return page.back(encounter)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        services.encounter_amend(
            actor=user,
            encounter=encounter,
            text=form.cleaned_data["text"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, "Amendment added.")
        return page.back(encounter)
    audit_record(
        request=request, action=Action.VIEW, patient=encounter.patient, obj=encounter, detail=page.view_detail
    )
    return page.render_with_amendment(request, encounter, form)
