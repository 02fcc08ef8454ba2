"""The register's responses, cached against the audit chain's tip: never a stale register.

Every change this app makes is recorded in the audit chain in the same transaction
(``solidarity.audit``): a new entry, a decision, a classification, an agreement or obligation,
a payment into the fund, a harm report, a change to a dataset or an organisation. So the hash
of the last event names the state of everything the register shows, and one indexed read gives
it. A cached page is keyed on that hash, today's date (what the register says can depend on the
day), the language and the full request URI; a change is visible on the next request because the
next request reads a new tip, and a key is never reused for another state.

The tip is read before the data: what is cached under a tip is at least as new as the tip.

Only what every reader sees alike is cached (the register's own part of a page, the API's
data); the page around it (who is signed in, the language form's token, messages) is rendered
for each request. Anonymous readers also get an ``ETag`` and ``Last-Modified`` for conditional
GETs; a signed-in reader's page is never cached (``PrivateResponseMiddleware``).
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from solidarity.audit.chain import GENESIS
from solidarity.audit.models import AuditEvent
from solidarity.held_cache import tolerant as cache

# Keys name a state, so an entry is never wrong, only unused once the chain moves on: the
# timeout only bounds the memory the old ones hold.
TIMEOUT = 60 * 60


@dataclass(frozen=True)
class Version:
    """The state the register is read at: the chain's tip and the day."""

    tip: str
    day: datetime.date
    modified: datetime.datetime

    @property
    def token(self) -> str:
        return f"{self.tip}.{self.day.isoformat()}"


def register_version() -> Version:
    """The chain's last event that can change the register (one read of a partial index)
    and today's date.

    ``modified`` is when the register last could have changed: the last event, or the start of
    today if later (a date shown on the register can move on with the day).
    """
    last = AuditEvent.objects.governed().order_by("-id").values_list("hash", "created_at").first()
    day = timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    tip, at = last if last else (GENESIS, midnight)
    return Version(tip=tip, day=day, modified=max(at, midnight))


def _digest(version: Version, request, kind: str) -> str:
    # The full URI: the query string chooses the rows, the host and scheme the API's links.
    parts = [kind, version.token, get_language() or "", request.build_absolute_uri()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cached(version: Version, request, kind: str, build: Callable[[], object]):
    """``build()``'s result for this state, language and URI, built at most once per state."""
    from .selectors import provisional_statistics

    provisional_statistics.set(False)
    key = f"register:{kind}:{_digest(version, request, kind)}"
    value = cache.get(key)
    if value is None:
        value = build()
        if not provisional_statistics.get():
            # Not while older harm statistics were served: the tip will not move when the
            # new ones are ready, so this copy would outlive them.
            cache.set(key, value, TIMEOUT)
    return value


def _public(request) -> bool:
    return not getattr(getattr(request, "user", None), "is_authenticated", False)


def etag(version: Version, request, kind: str) -> str:
    return f'W/"{_digest(version, request, kind)[:32]}"'


def not_modified(version: Version, request, kind: str) -> HttpResponseBase | None:
    """A 304 for an anonymous reader whose copy is of this state, else None."""
    if not _public(request):
        return None
    response = get_conditional_response(
        request,
        etag=etag(version, request, kind),
        last_modified=int(version.modified.timestamp()),
    )
    if response is not None:
        _validators(response, version, request, kind)
    return response


def with_validators(response: HttpResponseBase, version: Version, request, kind: str):
    """An anonymous reader's response names its state, to be asked for again conditionally."""
    from .selectors import provisional_statistics

    if _public(request) and response.status_code == 200 and not provisional_statistics.get():
        _validators(response, version, request, kind)
    return response


def _validators(response, version, request, kind) -> None:
    response["ETag"] = etag(version, request, kind)
    response["Last-Modified"] = http_date(version.modified.timestamp())
    # Kept by the reader's browser only (the page carries its own form token), and always
    # revalidated: a change must be seen on the next request.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Accept", "Accept-Language", "Cookie"])
