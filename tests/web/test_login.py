"""Log in / log out: audited, and django-axes locks an account after 5 failures for 15 minutes."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from tests.web.conftest import PASSWORD


def login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_redirects_to_dashboard_and_is_audited(alice: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")

    response = login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.client_address) == ("login", alice, "198.51.100.7")


def test_failed_login_shows_an_error_and_is_audited(alice: User) -> None:
    response = login(Client(REMOTE_ADDR="198.51.100.7"), "alice", "wrong")

    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.username) == ("login-failed", None, "alice")


def test_logout_is_post_only_and_audited(alice: User) -> None:
    client = Client()
    client.force_login(alice)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert AuditEvent.objects.get().action == "logout"
    assert client.get(reverse("dashboard")).status_code == 302


def test_throttling_settings_are_five_failures_for_fifteen_minutes() -> None:
    assert settings.AXES_ENABLED is True
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_five_failures_lock_the_account_even_for_the_right_password(alice: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(4):
        assert login(client, "alice", "wrong").status_code == 200

    fifth = login(client, "alice", "wrong")
    locked = login(client, "alice", PASSWORD)

    assert fifth.status_code == 429
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(alice: User) -> None:
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        login(attacker, "alice", "wrong")

    response = login(Client(REMOTE_ADDR="192.0.2.10"), "alice", PASSWORD)

    assert response.status_code == 302
