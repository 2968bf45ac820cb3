"""create_api_token USERNAME NAME: print a new API token for that user (shown once; only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stepcare.accounts.models import User
from stepcare.api.auth import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME labelled NAME and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. 'EHR integration'")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}; check the username.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive; activate the account first.")
        _, token = api_token_create(user=user, name=options["name"])
        self.stderr.write(f"API token {options['name']!r} for {user.username} (shown once; store it safely):")
        self.stdout.write(token)
