"""API authentication (session for the browser, bearer tokens for clients) and the per-operation role check."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from stepcare.accounts.decorators import ROLE_DENIED_MESSAGE
from stepcare.api.models import ApiToken, token_hash
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record

if TYPE_CHECKING:
    from stepcare.accounts.models import User

TOKEN_PREFIX = "stc_"  # noqa: S105 - a public marker, not a secret


class BearerToken(HttpBearer):
    """`Authorization: Bearer stc_...`: a live (not revoked) token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token:
            return None
        found = (
            ApiToken.objects.select_related("user", "user__clinic")
            .filter(token_hash=token_hash(token))
            .first()
        )
        if found is None or found.revoked or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class BrowserSession(SessionAuth):
    """The signed-in browser session (CSRF-checked for unsafe methods)."""


API_AUTH = [BearerToken(), BrowserSession()]


def api_roles(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The API's role_required: 403 and a `denied` audit event for any other role."""
    if not roles:
        raise ValueError("api_roles needs at least one role")

    def decorator(operation: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(operation)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if not user.is_authenticated or not user.is_active or user.role not in roles:
                audit_record(
                    request=request,
                    user=user if user.is_authenticated else None,
                    action=Action.DENIED,
                    detail={"reason": "role", "allowed_roles": list(roles), "operation": operation.__name__},
                )
                raise HttpError(403, ROLE_DENIED_MESSAGE)
            return operation(request, *args, **kwargs)

        wrapper.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorator


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the token text is returned once and only its SHA-256 is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, token_hash=token_hash(token), prefix=token[:10])
    audit_record(user=user, action=Action.CREATE, obj=record, detail={"api_token": name})
    return record, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(
        user=token.user, action=Action.UPDATE, obj=token, detail={"api_token": token.name, "revoked": True}
    )
    return token
