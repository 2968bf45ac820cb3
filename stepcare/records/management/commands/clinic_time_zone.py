"""clinic_time_zone [SLUG [ZONE]]: list the clinics' time zones, show one, or change it (an IANA name)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stepcare.records.models import Clinic
from stepcare.records.services import clinic_set_time_zone
from stepcare.records.time_zones import validate_time_zone


class Command(BaseCommand):
    help = (
        "Without arguments list every clinic's time zone; with SLUG show that clinic's; with SLUG ZONE set it "
        "(an IANA name such as America/Chicago). Stored times stay UTC; pages show them in the clinic's zone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", help="the clinic's slug (see the list without arguments)")
        parser.add_argument("zone", nargs="?", help="the new time zone, e.g. America/Chicago")

    def handle(self, *args: Any, **options: Any) -> None:
        slug, zone = options["slug"], options["zone"]
        if slug is None:
            self._list()
            return
        clinic = Clinic.objects.filter(slug=slug).first()
        if clinic is None:
            raise CommandError(
                f"No clinic with slug {slug!r}; run clinic_time_zone without arguments to list them."
            )
        if zone is None:
            self.stdout.write(clinic.timezone)
            return
        try:
            validate_time_zone(zone)
        except ValidationError as exc:
            raise CommandError(f"time zone: {exc.messages[0]}") from exc
        previous = clinic.timezone
        clinic_set_time_zone(clinic=clinic, time_zone=zone)
        self.stdout.write(f"{clinic.name}: time zone {previous} -> {zone}.")

    def _list(self) -> None:
        for clinic in Clinic.objects.order_by("slug"):
            self.stdout.write(f"{clinic.slug}\t{clinic.timezone}\t{clinic.name}")
