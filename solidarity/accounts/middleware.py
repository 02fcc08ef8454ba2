"""Session rules for signed-in people: the second factor, and the staff idle timeout."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from . import mfa

# Reachable before the second factor: signing in and out, the set-up itself, languages.
_OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/mfa/", "/i18n/", "/static/")


class SecondFactorMiddleware:
    """A session that owes a second factor reaches only the set-up or the code page.

    Staff roles without an authenticator are sent to enrol; anyone with one is asked for a
    code. API calls get a 403 in the API's error shape instead of a redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False):
            # What django-otp's own middleware offers, read from the session (no query).
            session = request.session
            user.is_verified = lambda: bool(session.get(DEVICE_ID_SESSION_KEY))
        if (
            getattr(user, "is_authenticated", False)
            and not request.path.startswith(_OPEN_PREFIXES)
            and mfa.session_owes_second_factor(request)
        ):
            if request.path.startswith("/api/"):
                message = _("Complete the second factor (authenticator code) first.")
                body = {"error": {"code": "second_factor_required", "message": message}}
                body["error"]["fields"] = {}
                return JsonResponse(body, status=403)
            target = "mfa-verify" if mfa.has_second_factor(user) else "mfa-setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


# A staff session's last request is written at most this often, so most requests do not
# rewrite the session.
LAST_SEEN_WRITE_SECONDS = 60


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after ``STAFF_IDLE_TIMEOUT_SECONDS`` without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and mfa.session_is_staff(request):
            now = int(time.time())
            last_seen = request.session.get(mfa.SESSION_LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.STAFF_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    message = _("Your session ended after a period without activity.")
                    body = {"error": {"code": "not_authenticated", "message": message}}
                    body["error"]["fields"] = {}
                    return JsonResponse(body, status=401)
                return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
            if last_seen is None or now - last_seen >= LAST_SEEN_WRITE_SECONDS:
                request.session[mfa.SESSION_LAST_SEEN] = now
        return self.get_response(request)
