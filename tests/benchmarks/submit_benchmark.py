"""Benchmark: 50 researchers submit their applications at the same moment. A measurement.

    DATABASE_URL=postgres://… .venv/bin/python -m tests.benchmarks.submit_benchmark [--n 50]

In a throwaway test database (PostgreSQL: SQLite serialises every writer anyway), prepares N
complete drafts, one per researcher, then releases N threads at once, each POSTing its
application's submit action through Django's test client on its own database connection, and
prints the latency of each submission (p50, p90, max) and the wall time. Every submission also
notifies the secretariat and the custodians, as in production; e-mail is queued after commit.
``--immediate-audit`` measures the old way (the chain head locked from the first audit event
to the commit) for comparison.
"""

import argparse
import os
import statistics
import sys
import threading
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--secretariat", type=int, default=5, help="people notified per submit")
    parser.add_argument(
        "--immediate-audit",
        action="store_true",
        help="Django's own engine: each event locks the chain head when recorded (the old way)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.settings")
    import django

    django.setup()
    if args.immediate_audit:
        from django.conf import settings

        settings.DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    if connection.vendor != "postgresql":
        print("Run it against PostgreSQL (DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        latencies, wall, statuses, holds = _run(args.n, args.secretariat)
    finally:
        from django.db import connections

        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    latencies.sort()
    p90 = latencies[int(0.9 * (len(latencies) - 1))]
    print(
        f"{'immediate' if args.immediate_audit else 'before-commit'} audit append, "
        f"{args.n} concurrent submissions: p50 {statistics.median(latencies):.2f} s, "
        f"p90 {p90:.2f} s, max {latencies[-1]:.2f} s, wall {wall:.2f} s; "
        f"statuses {sorted(set(statuses))}"
    )
    holds.sort()
    print(
        f"  chain head held per submission: p50 {1000 * statistics.median(holds):.1f} ms, "
        f"max {1000 * holds[-1]:.1f} ms, sum {sum(holds):.2f} s (the part no two can share)"
    )
    return 0


def _run(n: int, secretariat: int):
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from solidarity.accounts.roles import Role
    from solidarity.audit.services import audit_verify
    from solidarity.celery import app as celery_app
    from tests.applications.factories import complete_draft
    from tests.factories import UserFactory

    celery_app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for i in range(secretariat):
        UserFactory(username=f"secretary{i}", roles=[Role.SECRETARIAT])
    drafts = []
    for i in range(n):
        researcher = UserFactory(username=f"researcher{i}", roles=[Role.RESEARCHER])
        drafts.append((researcher, complete_draft(researcher)))
    clients = []
    for researcher, application in drafts:
        client = Client(raise_request_exception=False)
        client.force_login(researcher)
        clients.append((client, reverse("applications:action", args=[application.pk, "submit"])))
    connections.close_all()

    # How long each transaction holds the chain head: from its lock to its COMMIT.
    from django.db.backends.base.base import BaseDatabaseWrapper

    local = threading.local()
    holds: list[float] = []
    real_commit = BaseDatabaseWrapper._commit

    def timed_commit(self):
        result = real_commit(self)
        started = getattr(local, "head_locked_at", None)
        if started is not None:
            with lock:
                holds.append(time.perf_counter() - started)
            local.head_locked_at = None
        return result

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        first = getattr(local, "head_locked_at", None) is None
        if first and '"audit_chainhead"' in sql and "FOR UPDATE" in sql:
            local.head_locked_at = time.perf_counter()
        return result

    BaseDatabaseWrapper._commit = timed_commit
    barrier = threading.Barrier(n)
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(client, url):
        from django.db import connection

        try:
            connection.execute_wrappers.append(watch)
            barrier.wait()
            started = time.perf_counter()
            status = client.post(url).status_code
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    BaseDatabaseWrapper._commit = real_commit
    assert audit_verify().ok, "the audit chain must verify after the run"
    return latencies, wall, statuses, holds


if __name__ == "__main__":
    sys.exit(main())
