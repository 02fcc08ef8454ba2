"""django-axes hooks: limits read at request time, and the page or API error when locked.

Axes counts failed sign-ins per account whatever the address, and per address across
accounts (``AXES_LOCKOUT_PARAMETERS``); the address comes from ``solidarity.clientip``.
"""

from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def failure_limit(request, credentials) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request) -> timedelta:
    return timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def locked_message() -> str:
    return _(
        "Too many failed sign-in attempts for this account or from your connection. Please "
        "wait a few minutes and try again, or reset your password."
    )


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again with the reason (429); the API's error shape on API paths."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "throttled", "message": locked_message(), "fields": {}}}
        return JsonResponse(body, status=429)
    from .forms import LoginForm

    # Unbound, so that rendering it does not try (and count) the password again.
    form = LoginForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(
        request, "accounts/login.html", {"form": form, "locked": locked_message()}, status=429
    )
