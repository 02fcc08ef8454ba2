"""Request ids, JSON-lines logging and the optional Sentry hook.

Every request gets an id (the proxy's ``X-Request-ID`` when it is a sane token, else a new
one); it is echoed in the response and added to every log line written while the request runs.
Sentry is used only when ``SENTRY_DSN`` is set and ``sentry-sdk`` is installed; reporters'
personal data (harm reports, contact details, request bodies, cookies, addresses) never leave.
"""

import contextvars
import logging
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# Keys whose values are personal data of reporters or secrets: never sent to Sentry.
_SCRUB_KEYS = re.compile(
    r"contact|email|phone|name|what_happened|affected|receipt|password|token|secret|"
    r"authorization|cookie|csrf|session|address|body|message|reason|description",
    re.IGNORECASE,
)


def _scrub(value, depth=0):
    if depth > 8:
        return "[scrubbed]"
    if isinstance(value, dict):
        return {
            k: "[scrubbed]" if _SCRUB_KEYS.search(str(k)) else _scrub(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v, depth + 1) for v in value]
    return value


def scrub_event(event: dict, hint=None) -> dict:
    """Sentry ``before_send``: drop request bodies, cookies, headers that identify, the user's
    address and e-mail, and every field that could hold a reporter's personal data."""
    request = event.get("request") or {}
    request.pop("data", None)
    request.pop("cookies", None)
    request.pop("query_string", None)
    headers = request.get("headers") or {}
    for header in list(headers):
        if header.lower() in {"cookie", "authorization", "x-forwarded-for", "x-real-ip"}:
            headers.pop(header)
    if "user" in event:
        event["user"] = {"id": (event["user"] or {}).get("id")}
    for key in ("extra", "contexts"):
        if key in event:
            event[key] = _scrub(event[key])
    for exception in (event.get("exception") or {}).get("values", []) or []:
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)  # local variables can hold a report's text
    for crumb in (event.get("breadcrumbs") or {}).get("values", []) or []:
        crumb.pop("data", None)
    return event


def init_sentry(dsn: str, *, environment: str, release: str) -> bool:
    if not dsn:
        return False
    try:
        import sentry_sdk
    except ImportError:
        logging.getLogger(__name__).warning("SENTRY_DSN is set but sentry-sdk is not installed")
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        traces_sample_rate=0.0,
    )
    return True
