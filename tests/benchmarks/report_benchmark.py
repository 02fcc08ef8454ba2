"""Benchmark: how long the PDF reports take to render. A measurement, not a test.

    .venv/bin/python -m tests.benchmarks.report_benchmark [--repeat 3]

Builds, in a throwaway test database, an application with 20 versions, 10 reviewers (each with
a filed assessment and risk register) and 500 audit events, plus a 1,000-entry fund ledger, then
times the dossier and the fund-ledger reports (data gathering and WeasyPrint rendering).
"""

import argparse
import os
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        results = _run(args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    for name, seconds in results.items():
        print(
            f"{name}: median {statistics.median(seconds):.2f} s over {len(seconds)} runs "
            f"(min {min(seconds):.2f} s, max {max(seconds):.2f} s)"
        )
    return 0


def _run(repeat: int) -> dict[str, list[float]]:
    from django.utils import timezone

    from applications import services as apps
    from benefits.services import fund_receive
    from reviews import services as review_services
    from solidarity import audit
    from solidarity.audit.models import AuditEvent
    from solidarity.auditing import reports
    from solidarity.celery import app as celery_app
    from solidarity.pdf import render_pdf
    from tests.applications.factories import in_review
    from tests.factories import UserFactory
    from tests.reviews.factories import assign, file_review

    celery_app.conf.task_always_eager = True
    researcher = UserFactory(username="bench_researcher", roles=["researcher"])
    secretariat = UserFactory(username="bench_secretariat", roles=["secretariat"])
    officer = UserFactory(username="bench_officer", roles=["benefit_officer"])
    application = in_review(researcher, secretariat)
    for n in range(19):  # 19 revision rounds: versions 2..20
        apps.application_request_revision(
            actor=secretariat, application=application, message=f"Round {n + 1}: clarify methods."
        )
        apps.application_update_draft(
            actor=researcher, application=application, methods=f"Methods, revision {n + 1}."
        )
        apps.application_submit(actor=researcher, application=application)
        application = apps.application_accept(actor=secretariat, application=application)
    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    for n in range(10):
        reviewer = UserFactory(username=f"bench_reviewer{n}", roles=["reviewer"])
        assignment = assign(application, secretariat, reviewer)
        file_review(assignment, framework, risks=[{}, {"category": "discrimination"}])
    events = AuditEvent.objects.for_target(application).count()
    for n in range(max(0, 500 - events)):
        audit.record(
            actor=secretariat, action="benchmark.note", target=application, payload={"n": n}
        )
    for n in range(1000):
        fund_receive(
            actor=officer, amount_minor=1000 + n, currency="EUR", reason=f"Payment {n + 1}"
        )
    print(
        f"dossier data: {application.versions.count()} versions, 10 reviewers, "
        f"{AuditEvent.objects.for_target(application).count()} events on the application; "
        "ledger: 1000 entries",
        file=sys.stderr,
    )

    today = timezone.localdate().isoformat()
    cases = {
        "dossier (20 versions, 10 reviewers, 500 events)": (
            "dossier",
            {"application": application.reference},
        ),
        "fund ledger (1,000 entries)": ("fund_ledger", {"start": today, "end": today}),
    }
    results: dict[str, list[float]] = {}
    for name, (kind, params) in cases.items():
        for archival in (False, True):
            label = f"{name}{', PDF/A' if archival else ''}"
            for _ in range(repeat):
                started = time.perf_counter()
                built = reports.build(kind, params)
                gathered = time.perf_counter()
                rendered = render_pdf(
                    template=built.template,
                    context={
                        "report_title": built.title,
                        "generated_by": "benchmark",
                        **built.context,
                    },
                    archival=archival,
                    data=built.data,
                )
                results.setdefault(label, []).append(time.perf_counter() - started)
                results.setdefault(f"{label} (gathering the data only)", []).append(
                    gathered - started
                )
                assert rendered.pdf.startswith(b"%PDF")
    return results


if __name__ == "__main__":
    sys.exit(main())
