"""Per-client rate limits, shared by the HTML pages and the API (one counter per client)."""

import hashlib
import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from solidarity.clientip import client_address

from .crypto import normalise_receipt_code

logger = logging.getLogger(__name__)


class _SettingsRateThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self):
        # Read at request time, so a changed setting (or a test's override) applies at once.
        return getattr(settings, self.setting)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        # Fail open: a patient's report is never refused because the limiter's cache is down.
        try:
            return super().allow_request(request, view)
        except Exception:  # any cache backend error (Redis down, timeout, …)
            logger.warning(
                "Rate limit %s not applied: the cache is unavailable", self.scope, exc_info=True
            )
            return True

    def get_ident(self, request):
        # Forwarded headers only from configured proxies (solidarity.clientip).
        return client_address(request)


class AnonymousReportThrottle(_SettingsRateThrottle):
    """Anonymous report submissions per client address; signed-in reporters are not limited."""

    scope = "harm_report"
    setting = "HARM_REPORT_RATE"

    def allow_request(self, request, view):
        if getattr(request.user, "is_authenticated", False):
            return True
        return super().allow_request(request, view)


class ReceiptLookupThrottle(_SettingsRateThrottle):
    """Status look-ups by receipt code per client address, whether the code is right or not."""

    scope = "harm_status"
    setting = "HARM_STATUS_RATE"


class ReceiptCodeThrottle(_SettingsRateThrottle):
    """Look-ups of one receipt code, from whatever address: a code is not guessed at forever."""

    scope = "harm_status_code"
    setting = "HARM_STATUS_CODE_RATE"

    def __init__(self, code: str):
        super().__init__()
        normalised = normalise_receipt_code(str(code or ""))
        self.code_digest = hashlib.sha256(normalised.encode()).hexdigest()

    def get_ident(self, request):
        return self.code_digest


class ReceiptGlobalThrottle(_SettingsRateThrottle):
    """Look-ups of all receipt codes together: many addresses guessing still run out."""

    scope = "harm_status_all"
    setting = "HARM_STATUS_GLOBAL_RATE"

    def get_ident(self, request):
        return "all"


def receipt_lookup_allowed(request, code: str) -> bool:
    """Count one look-up against the address's, the code's and the global budget."""
    throttles = (ReceiptLookupThrottle(), ReceiptCodeThrottle(code), ReceiptGlobalThrottle())
    return all(throttle.allow_request(request, None) for throttle in throttles)


def allowed(throttle_class, request) -> bool:
    """Count one attempt for an HTML view; False once the client is over its limit."""
    return throttle_class().allow_request(request, None)
