"""`{{ value|stamp }}`: a stored (UTC) time shown in the page's zone with the zone's abbreviation.

The middleware activates the clinic's zone, so "2026-03-02 12:00 CST" reads as the clinic's wall clock
and says which clock it is. `|stamp:"seconds"` adds seconds (the audit log).
"""

from __future__ import annotations

import datetime

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()

STAMP_FORMAT = "Y-m-d H:i T"
STAMP_SECONDS_FORMAT = "Y-m-d H:i:s T"


@register.filter(expects_localtime=True)
def stamp(value: datetime.datetime | None, precision: str = "") -> str:
    """Local date, time and zone abbreviation; empty for a missing time (the template says what is missing)."""
    if not isinstance(value, datetime.datetime):
        return ""
    return date_format(value, STAMP_SECONDS_FORMAT if precision == "seconds" else STAMP_FORMAT)
