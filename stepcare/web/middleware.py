"""Per-request middleware of the Stepcare shell."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from stepcare.records.time_zones import user_zone


class ClinicTimeZoneMiddleware:
    """Show times and 'today' in the signed-in user's clinic zone (a patient's: their record's clinic).

    Only display and calendar days change: storage stays UTC. Anonymous requests keep the deployment's zone
    (settings.TIME_ZONE); the zone is reset after each request so no thread carries it to the next one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user_zone(user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
