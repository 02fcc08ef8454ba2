"""The production smoke journey against a running `make prod` (called by .ci/prod-smoke).

    python .ci/prod_smoke.py http://127.0.0.1:8391

Liveness and readiness; a hashed, compressed static file; an anonymous harm report (submit);
the auditor signs in and a PDF report is built by the real report worker. Standard library only.
"""

import base64
import hashlib
import hmac
import http.cookiejar
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date

BASE = sys.argv[1].rstrip("/")
if not BASE.startswith(("http://", "https://")):
    sys.exit("usage: prod_smoke.py http://host:port")
jar = http.cookiejar.CookieJar()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


def call(path, data=None, headers=None):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(BASE + path, data=body, headers=headers or {})  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def csrf() -> str:
    return next(c.value for c in jar if c.name == "csrftoken")


def step(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")
    if not ok:
        sys.exit(1)


status, headers, body = call("/healthz")
step("GET /healthz", status == 200)
status, headers, body = call("/readyz")
step("GET /readyz (database, cache, broker)", status == 200, body.decode()[:300])
step("request id in the response", bool(headers.get("X-Request-ID")))

status, headers, body = call("/accounts/login/")
step("sign-in page", status == 200)
css = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
step("static files have hashed names", css is not None)
status, headers, _ = call(css.group(1).decode(), headers={"Accept-Encoding": "gzip, br"})
step(
    "static file served compressed",
    status == 200 and headers.get("Content-Encoding") in {"gzip", "br"},
    str(headers),
)

call("/harms/report/")
status, headers, _ = call(
    "/harms/report/",
    {
        "csrfmiddlewaretoken": csrf(),
        "r-what_happened": "Smoke test: my records were shown to my employer.",
        "r-occurred_when": "This month",
        "r-affected": "self",
        "r-categories": ["privacy_breach"],
    },
)
step("anonymous harm report submitted", status == 302, str(status))

call("/accounts/login/")
status, headers, _ = call(
    "/accounts/login/",
    {"csrfmiddlewaretoken": csrf(), "username": "auditor", "password": "solidarity-demo"},
)
step("auditor signs in", status == 302, str(status))


def totp(secret_b32: str, at: float) -> str:
    """RFC 6238 code (SHA-1, 6 digits, 30 s), as the demo authenticator would show it."""
    key = base64.b32decode(secret_b32)
    counter = struct.pack(">Q", int(at) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


# Staff roles need the second factor: the demo accounts' authenticator key (seed_demo).
call("/accounts/mfa/verify/")
status, headers, _ = call(
    "/accounts/mfa/verify/",
    {"csrfmiddlewaretoken": csrf(), "token": totp("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", time.time())},
)
step("auditor gives the second factor", status == 302, str(status))

today = date.today().isoformat()
call("/auditing/reports/")
status, headers, _ = call(
    "/auditing/reports/",
    {"csrfmiddlewaretoken": csrf(), "kind": "audit_extract", "start": today, "end": today},
)
step("report requested", status == 302, str(status))
detail = headers["Location"]
deadline = time.monotonic() + 120
page = b""
while time.monotonic() < deadline:
    _, _, page = call(detail)
    if b"The report is ready" in page or b"could not be built" in page:
        break
    time.sleep(1)
step("report built by the report worker", b"The report is ready" in page, page.decode()[-500:])
status, headers, pdf = call(detail.rstrip("/") + "/download/")
step("PDF downloaded", status == 200 and pdf.startswith(b"%PDF"), str(status))
print("smoke journey passed")
