"""Benchmark: 50 researchers submit their applications at the same moment. A measurement.

    DATABASE_URL=postgres://… .venv/bin/python -m tests.benchmarks.submit_benchmark [--n 50]

In a throwaway test database (PostgreSQL: SQLite serialises every writer anyway), prepares N
complete drafts, one per researcher, then releases N threads at once, each POSTing its
application's submit action through Django's test client on its own database connection, and
prints the latency of each submission (p50, p90, max) and the wall time. Every submission also
notifies the secretariat and the custodians, as in production; e-mail is queued after commit.
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
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    if connection.vendor != "postgresql":
        print("Run it against PostgreSQL (DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        latencies, wall, statuses = _run(args.n, args.secretariat)
    finally:
        from django.db import connections

        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    latencies.sort()
    p90 = latencies[int(0.9 * (len(latencies) - 1))]
    print(
        f"{args.n} concurrent submissions: p50 {statistics.median(latencies):.2f} s, "
        f"p90 {p90:.2f} s, max {latencies[-1]:.2f} s, wall {wall:.2f} s; "
        f"statuses {sorted(set(statuses))}"
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

    barrier = threading.Barrier(n)
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(client, url):
        try:
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
    assert audit_verify().ok, "the audit chain must verify after the run"
    return latencies, wall, statuses


if __name__ == "__main__":
    sys.exit(main())
