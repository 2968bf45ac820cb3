"""Clinic time zones: IANA names checked against the tz database, and the zone a page shows times in.

Storage stays UTC (USE_TZ); a clinic's zone only changes how times are shown and which calendar day is
"today" there. No model imports here: the settings' environment parser uses `is_time_zone` too.
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from stepcare.accounts.models import User
    from stepcare.records.models import Clinic

TIME_ZONE_ERROR = "Time zone {value!r} is not an IANA time zone name; use one such as America/Chicago or UTC."


@functools.cache
def time_zone_names() -> frozenset[str]:
    """Every IANA name the tz database knows (read once: listing it walks the zoneinfo files)."""
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    return name in time_zone_names()


def validate_time_zone(value: str) -> None:
    """Model-field validator: an unknown name fails under the field's name, never at page render."""
    if not is_time_zone(value):
        raise ValidationError(TIME_ZONE_ERROR.format(value=value), code="invalid_time_zone")


def default_time_zone() -> str:
    """The deployment's zone (STEPCARE_TIME_ZONE): the default of a new clinic and of pages without one."""
    return str(settings.TIME_ZONE)


def clinic_zone(clinic: Clinic | None) -> zoneinfo.ZoneInfo:
    """The clinic's zone; the deployment's when there is no clinic or its name is not (or no longer) known."""
    name = clinic.timezone if clinic is not None else ""
    return zoneinfo.ZoneInfo(name if is_time_zone(name) else default_time_zone())


def user_zone(user: User) -> zoneinfo.ZoneInfo:
    """Staff see their clinic's times; a patient sees the times of the clinic that holds their record."""
    patient = user.patient if user.patient_id is not None else None
    if patient is not None:
        return clinic_zone(patient.clinic)
    return clinic_zone(user.clinic if user.clinic_id is not None else None)
