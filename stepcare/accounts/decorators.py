"""role_required: every view states which roles may use it; the check runs on the server, always."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from stepcare.audit.models import Action
from stepcare.audit.services import audit_record

ROLE_DENIED_MESSAGE = "Your role does not allow this page."

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Anonymous → login page; signed in with another role → 403, recorded as a denied access."""
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or user.role not in roles:
                audit_record(
                    request=request,
                    action=Action.DENIED,
                    detail={"reason": "role", "allowed_roles": list(roles), "view": view.__name__},
                )
                raise PermissionDenied(ROLE_DENIED_MESSAGE)
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorator
