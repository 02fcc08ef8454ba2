"""Operators' endpoints and the last-resort error pages.

``/healthz`` says the process answers (liveness: no dependency is touched); ``/readyz`` says
whether it can serve (database, cache, broker), in JSON, naming no host, URL or secret.
Under ``/api/`` the 404 and 500 pages keep the API's error shape even when the database is down.
"""

import logging
import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found
from django.views.defaults import server_error as html_server_error

logger = logging.getLogger(__name__)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return _error(404, "not_found", "Not found.")
    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _error(500, "server_error", "The server could not answer; please try again.")
    return html_server_error(request)


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    key = "readyz:probe"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")


def _check_broker() -> None:
    from solidarity.celery import app

    if app.conf.task_always_eager:
        return  # the embedded default runs tasks in-process: there is no broker to reach
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
def readyz(request):
    results, ready = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:
            ready = False
            # The type of the failure only: messages can name hosts and credentials.
            results[name] = {"ok": False, "error": type(exc).__name__}
            logger.error("Readiness check %s failed: %s", name, type(exc).__name__)
        else:
            results[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
