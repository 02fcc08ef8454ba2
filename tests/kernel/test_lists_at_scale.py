"""Every list runs the same queries at 10 and at 200 applications, renders no option or total
per row of a big table, and (on PostgreSQL, at 10,000 rows) reads the index made for it.

The data come from the page benchmark's bulk seeder (``tests/benchmarks/seed.py``): every
state, dataset requests, versions, reviews, votes, agreements, obligations, the fund, harm
reports and the audit trail, as the services would leave them.
"""

import contextlib
import dataclasses
import re
import uuid
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benefits.models import BenefitAgreement
from harms.models import HarmReport
from solidarity.accounts.models import User
from solidarity.register import caching
from tests.benchmarks import seed
from tests.benchmarks.page_benchmark import PAGES, _entry, _path

USERS = {
    "secretariat": "bench_secretariat0",
    "chair": "bench_chair0",
    "harm_officer": "bench_harm_officer0",
    "benefit_officer": "bench_benefit_officer0",
    "auditor": "bench_auditor0",
    "researcher": "bench_researcher0",
    "reviewer": "bench_reviewer0",
    "custodian": "bench_custodian0",
}
LISTS = sorted({(path, who) for _label, path, who, _c in PAGES})
MAX_QUERIES = 12  # the goal for every list page and API list
REGISTER = ("/register/", "/api/v1/register/")


def _client(who: str) -> Client:
    client = Client()
    if who == "receipt":
        session = client.session
        session["harms_receipt_report"] = HarmReport.objects.order_by("id").first().pk
        session.save()
    elif who != "anon":
        client.force_login(User.objects.get(username=USERS[who]))
    return client


@contextlib.contextmanager
def _register_changed(path: str):
    """The register as built after a change (a new tip of the audit chain), not its cached
    copy. The protected harm statistics are kept apart, per change of the reports and the
    projects (``register.selectors._harm_family_version``), shared by every register page and
    refreshed by a task: a change elsewhere leaves them as they were. Their own build is held
    constant at 10 and 10,000 entries in ``tests/register/test_register_at_scale.py``."""
    if not path.startswith(REGISTER):
        yield
        return
    real = caching.register_version

    def moved_on():
        version = real()
        return dataclasses.replace(version, tip=f"{version.tip}.{uuid.uuid4().hex}")

    with mock.patch.object(caching, "register_version", moved_on):
        yield


def _queries(path: str, who: str) -> tuple[int, int]:
    client = _client(who)
    path = _path(path, {"entry": _entry()})
    client.get(path)  # warm per-process caches (content types, framework)
    with _register_changed(path), CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, who, response.status_code)
    return len(ctx.captured_queries), len(response.content)


def _measure(size: int) -> dict:
    """Seed ``size`` applications, count each list's queries, and roll the data back."""
    with transaction.atomic():
        sid = transaction.savepoint()
        seed.seed(size)
        counts = {key: _queries(*key) for key in LISTS}
        transaction.savepoint_rollback(sid)
    return counts


@pytest.mark.django_db
def test_every_list_runs_the_same_queries_at_10_and_at_200_rows():
    small, large = _measure(10), _measure(200)
    differing = {key: (small[key][0], large[key][0]) for key in LISTS if small[key] != large[key]}
    differing = {k: v for k, v in differing.items() if v[0] != v[1]}
    assert differing == {}
    # One entry's page is not a list: its count is only held constant (above).
    lists = [key for key in LISTS if "{entry}" not in key[0]]
    too_many = {key: large[key][0] for key in lists if large[key][0] > MAX_QUERIES}
    assert too_many == {}


@pytest.mark.django_db
def test_harm_queue_names_projects_by_typed_reference_not_by_listing_them(client):
    seed.seed(300)
    officer = User.objects.get(username=USERS["harm_officer"])
    client.force_login(officer)
    body = client.get("/harms/queue/").content.decode()
    # One option per public project was 2 MB of HTML at 100,000 applications.
    assert len(re.findall(r"<option", body)) < 80
    assert 'name="project"' in body and len(body) < 100_000
    report = HarmReport.objects.filter(applications__isnull=False).order_by("-id").first()
    project = report.applications.first()
    filtered = client.get("/harms/queue/", {"project": project.reference.lower()})
    assert f"{report.reference}</a>" in filtered.content.decode()
    unknown = client.get("/harms/queue/", {"project": "DSA-1999-999999"})
    assert unknown.status_code == 200
    assert "No project on the register has this reference." in unknown.content.decode()


@pytest.mark.django_db
def test_fund_ledger_totals_only_the_agreements_on_its_page(client):
    seed.seed(300)
    client.force_login(User.objects.get(username=USERS["benefit_officer"]))
    body = client.get("/benefits/fund/").content.decode()
    # A total per agreement ever was 5 MB at 100,000 applications; the page shows 50 entries.
    assert body.count("/benefits/agreements/") <= 50 + 5
    oldest = BenefitAgreement.objects.order_by("id").first()
    assert f">BSA-{oldest.pk}</a>" not in body
    one = client.get("/benefits/fund/", {"agreement": f"BSA-{oldest.pk}"}).content.decode()
    assert f">BSA-{oldest.pk}</a>" in one
    bad = client.get("/benefits/fund/", {"agreement": "BSA-999999"}).content.decode()
    assert "No agreement has this number or project reference." in bad


# The four busiest lists and the index each must read at 10,000 applications (PostgreSQL).
EXPLAINED = [
    (
        "/applications/queue/",
        "secretariat",
        "applications_application",
        "application_open_queue_idx",
    ),
    ("/register/", "anon", "applications_application", "application_public_idx"),
    ("/api/v1/applications/", "secretariat", "applications_application", "application_updated_idx"),
    (
        "/api/v1/dataset-requests/",
        "secretariat",
        "applications_datasetrequest",
        "application_submitted_idx",
    ),
    ("/benefits/", "benefit_officer", "benefits_benefitagreement", "benefit_agreement_list_idx"),
    # The custodian's requests: state, then the request's copy of the submission time.
    (
        "/applications/requests/",
        "custodian",
        "applications_datasetrequest",
        "dataset_request_custodian_idx",
    ),
    (
        "/applications/requests/?state=pending",
        "custodian",
        "applications_datasetrequest",
        "dataset_request_custodian_idx",
    ),
    # The harm queue sorts on the stored next deadline, with and without a state filter.
    ("/harms/queue/", "harm_officer", "harms_harmreport", "harm_report_due_idx"),
    ("/harms/queue/?state=triaged", "harm_officer", "harms_harmreport", "harm_report_due_idx"),
    ("/api/v1/harm-reports/", "harm_officer", "harms_harmreport", "harm_report_due_idx"),
]


@pytest.mark.postgres
@pytest.mark.django_db
def test_busiest_lists_read_their_index_at_10000_rows():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    seed.seed(10_000)
    plans = {}
    for path, who, table, index in EXPLAINED:
        client = _client(who)
        client.get(path)
        if path.startswith(REGISTER):
            cache.clear()  # the register's rows as read after a change
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        # The page's own rows: the query on its table that is cut by LIMIT, not the count.
        main = [
            q["sql"]
            for q in ctx.captured_queries
            if f'FROM "{table}"' in q["sql"]
            and "LIMIT" in q["sql"]
            and not q["sql"].startswith("SELECT COUNT")
        ]
        assert main, path
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + main[0])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        plans[path] = (index in plan, plan)
    assert {path: found for path, (found, _plan) in plans.items()} == {
        path: True for path, *_ in EXPLAINED
    }, "\n\n".join(plan for _found, plan in plans.values())


@pytest.mark.django_db
def test_harm_report_page_takes_projects_by_typed_reference(client):
    from applications.models import Application

    seed.seed(300)
    client.force_login(User.objects.get(username=USERS["harm_officer"]))
    report = HarmReport.objects.filter(state="received").order_by("id").first()
    body = client.get(f"/harms/{report.pk}/").content.decode()
    # The triage form held one option per public project: 60,000 at 100,000 applications.
    assert len(re.findall(r"<option", body)) < 80
    project = Application.objects.filter(state="active").order_by("id").first()
    url = f"/harms/{report.pk}/triage/"
    refused = client.post(
        url, {"triage-severity": "severe", "triage-applications": "DSA-1999-000001"}
    )
    assert refused.status_code != 302
    assert "Not on the public register: DSA-1999-000001" in refused.content.decode()
    report.refresh_from_db()
    assert report.state == "received"
    done = client.post(
        url, {"triage-severity": "severe", "triage-applications": project.reference.lower()}
    )
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.state == "triaged" and project in report.applications.all()


@pytest.mark.django_db
def test_committee_queue_type_filter_in_sql_agrees_with_the_exact_classification(client):
    from applications.models import Application
    from reviews.models import CommitteeFile
    from reviews.selectors import QUEUE_STATES, classification_for

    seed.seed(120)
    queue = list(Application.objects.filter(state__in=QUEUE_STATES).order_by("id"))
    overridden = next(a for a in queue if a.state == "awaiting_decision")
    CommitteeFile.objects.filter(application=overridden).update(
        override_type="B", override_reason="Set by the chair."
    )
    expected: dict[str, set] = {}
    for application in queue:
        kind = classification_for(application).effective_type or ""
        expected.setdefault(kind, set()).add(application.reference)
    client.force_login(User.objects.get(username=USERS["chair"]))
    for kind in ["A", "B", "C", "D", "mixed"]:
        shown, page = set(), 1
        while True:
            body = client.get("/reviews/committee/", {"use_type": kind, "page": page})
            text = body.content.decode()
            # Each row: the bulk-assign checkbox (issue 16), then "reference: title".
            shown |= set(re.findall(r"<tr>(?:<td><input[^>]*></td>)?<td>(DSA-\d+-\d+):", text))
            if 'rel="next"' not in text:
                break
            page += 1
        assert shown == expected.get(kind, set()), kind
    assert overridden.reference in expected["B"]


def _plans(path: str, who: str) -> list[tuple[str, str]]:
    client = _client(who)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            if q["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN " + q["sql"])
                plans.append((q["sql"], "\n".join(row[0] for row in cursor.fetchall())))
    return plans


@pytest.mark.postgres
@pytest.mark.django_db
def test_applicants_and_custodians_lists_read_no_whole_table_at_10000_rows():
    """My applications (the applicant's and the member's index, not an OR that reads every
    application) and the custodian's requests (its count from the request table's partial
    index, without reading the applications): at 100,000 applications these were 0.3 s each."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    seed.seed(10_000)
    for path, who in [("/applications/", "researcher"), ("/applications/requests/", "custodian")]:
        for sql, plan in _plans(path, who):
            whole = re.search(r"Seq Scan on applications_application\b", plan)
            assert not whole, (path, sql, plan)
    counts = [
        plan
        for sql, plan in _plans("/applications/requests/", "custodian")
        if sql.startswith("SELECT COUNT(*) FROM (SELECT")  # the list's, not the badge's
    ]
    assert len(counts) == 1 and "dataset_request_filed_idx" in counts[0], counts
