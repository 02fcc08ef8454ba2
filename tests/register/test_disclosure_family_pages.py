"""Rule 5 through the public surface: the register's JSON and CSV and each entry's JSON and
page publish figures that the attacker of ``test_disclosure_family`` cannot break, the
protected family is cached, and every change to the reports or their links recomputes it."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from harms.models import HarmReport
from harms.services.reports import harm_report_acknowledge, harm_report_triage
from solidarity.register.selectors import _harm_family_version

from .test_disclosure import _make_reports
from .test_disclosure_family import family_attack


def _project(researcher, n):
    return Application.objects.create(
        applicant=researcher, title=f"Study {n}", state="active", reference=f"DSA-2026-07{n:02d}"
    )


def _reports_about(application, reports):
    before = set(HarmReport.objects.values_list("pk", flat=True))
    _make_reports(reports)
    for report in HarmReport.objects.exclude(pk__in=before):
        report.applications.add(application)


@pytest.fixture
def two_projects(db, researcher):
    """13 reports name stigmatisation, 5 of each project's: alone each project leaves 8,
    together they would leave 3."""
    first, second = _project(researcher, 1), _project(researcher, 2)
    for app in (first, second):
        _reports_about(
            app,
            [(["stigmatisation"], "received", 2026)] * 5 + [(["financial"], "received", 2026)] * 5,
        )
    _make_reports(
        [(["stigmatisation"], "received", 2026)] * 3 + [(["privacy_breach"], "received", 2026)] * 7
    )
    return first, second


def test_the_register_and_its_entries_leave_no_small_remainder(client, two_projects):
    register = client.get(reverse("register:json")).json()["harm_statistics"]
    entries = [client.get(f"/api/v1/register/{a.reference}/").json() for a in two_projects]
    projects = [entry["harms"] for entry in entries]
    assert register["total"]["count"] == 30
    assert [p["total"]["count"] for p in projects] == [10, 10]
    assert not family_attack(register, projects)
    stigmatisation = [
        c["count"] for p in projects for c in p["by_category"] if c["key"] == "stigmatisation"
    ]
    assert None in stigmatisation
    # The entry page and the register's CSV say the same.
    for app, harms in zip(two_projects, projects, strict=True):
        page = client.get(reverse("register:detail", args=[app.reference])).content.decode()
        for cell in harms["by_category"]:
            if cell["count"] is None:
                assert cell["display"] in page
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("register:harms_csv")).text)))
    published = {(r["table"], r["key"]): r["display"] for r in rows}
    for cell in register["by_category"]:
        assert published[("by_category", cell["key"])] == cell["display"]


def test_an_entry_reads_the_protected_family_in_a_fixed_number_of_queries(
    client, two_projects, harm_officer
):
    first, second = two_projects
    client.get(f"/api/v1/register/{first.reference}/")  # computes and caches the family
    with CaptureQueriesContext(connection) as warm:
        client.get(f"/api/v1/register/{second.reference}/")
    _make_reports([(["financial"], "received", 2026)] * 20)
    # Through a service, as every change is: audited, so the entry's cached copy is not used.
    report = HarmReport.objects.order_by("-pk").first()
    harm_report_acknowledge(actor=harm_officer, report=report, message="Read.")
    with CaptureQueriesContext(connection) as changed:
        client.get(f"/api/v1/register/{second.reference}/")
    # A change costs the two grouped counts and the counts per dataset once, whatever the
    # number of projects (and, with tasks run eagerly here, the refresh task's own read of
    # the version); the projects using each named dataset are read only while a project's
    # total is withheld (none is here: both projects publish theirs, 10 reports each).
    assert len(changed) == len(warm) + 4
    harm_queries = [q["sql"] for q in warm if "harms_harmreport" in q["sql"]]
    assert len(harm_queries) == 1, harm_queries


def _snapshot():
    """Everything the protected figures are computed from."""
    links = HarmReport.applications.through.objects.values_list("harmreport_id", "application_id")
    return (
        sorted(HarmReport.objects.values_list("pk", "state", "categories", "received_at")),
        sorted(links),
        sorted(Application.objects.filter(state="active").values_list("pk", flat=True)),
    )


def test_every_report_move_and_link_changes_the_cached_version(two_projects, harm_officer):
    """A version names one state of the data: a change gives a new version, and a version
    seen before comes back only with the very same data (ids are never reused)."""
    first, second = two_projects
    seen = {_harm_family_version(): _snapshot()}

    def changed():
        version, snapshot = _harm_family_version(), _snapshot()
        assert seen.get(version, snapshot) == snapshot
        seen[version] = snapshot

    _make_reports([(["financial"], "received", 2026)])
    changed()
    report = HarmReport.objects.order_by("-pk").first()
    harm_report_acknowledge(actor=harm_officer, report=report, message="Read.")
    changed()
    report.applications.add(first)
    changed()
    report.applications.remove(first)
    changed()
    report.applications.add(second)  # as many links as before, another one
    changed()
    other = HarmReport.objects.order_by("pk").first()
    other.applications.clear()
    changed()
    other.applications.add(first)
    changed()
    harm_report_triage(actor=harm_officer, report=other, severity="low", applications=[second])
    changed()
    Application.objects.filter(pk=second.pk).update(state="draft")  # off the register
    changed()
    report.delete()
    changed()
    assert len(seen) == 10  # all but the link made and removed again changed the version


def test_readers_get_the_previous_family_while_a_task_computes_the_new_one(
    client, two_projects, researcher, monkeypatch
):
    """Protecting every project together takes seconds at real size: a reader after a change
    is served the last protected family (one consistent snapshot) and one task is queued; once
    it ran, readers see the new figures."""
    from solidarity.register import tasks

    first, _second = two_projects
    before = client.get(reverse("register:json")).json()["harm_statistics"]["total"]["count"]
    queued = []
    monkeypatch.setattr(tasks.refresh_harm_statistics, "delay", lambda: queued.append(1))
    _reports_about(first, [(["financial"], "received", 2026)] * 5)
    for _reader in range(3):
        stats = client.get(reverse("register:json")).json()["harm_statistics"]
        assert stats["total"]["count"] == before
        entry = client.get(f"/api/v1/register/{first.reference}/").json()["harms"]
        assert entry["total"]["count"] == 10  # its figures in the previous family
    assert queued == [1]  # one task for the new version, however many readers
    newcomer = _project(researcher, 3)
    _reports_about(newcomer, [(["financial"], "received", 2026)] * 6)
    entry = client.get(f"/api/v1/register/{newcomer.reference}/").json()["harms"]
    assert entry["total"]["count"] is None and entry["withheld_tables"]  # not in that family
    tasks.refresh_harm_statistics.apply()
    stats = client.get(reverse("register:json")).json()["harm_statistics"]
    assert stats["total"]["count"] == before + 11
    entry = client.get(f"/api/v1/register/{first.reference}/").json()["harms"]
    assert entry["total"]["count"] == 15


def test_without_a_broker_the_reader_computes_the_new_family(client, two_projects, monkeypatch):
    from solidarity.register import tasks

    first, _second = two_projects
    before = client.get(reverse("register:json")).json()["harm_statistics"]["total"]["count"]

    def broker_down():
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.refresh_harm_statistics, "delay", broker_down)
    _reports_about(first, [(["financial"], "received", 2026)] * 5)
    stats = client.get(reverse("register:json")).json()["harm_statistics"]
    assert stats["total"]["count"] == before + 5


def test_a_page_built_on_older_statistics_is_not_kept(
    client, two_projects, harm_officer, monkeypatch
):
    """The register's pages are cached against the audit chain's tip, which the task that
    computes the new statistics does not move: a page (or an ETag) built on the older family
    must not outlive it."""
    from solidarity.register import tasks

    first, _second = two_projects
    detail = f"/api/v1/register/{first.reference}/"
    assert client.get(detail).json()["harms"]["total"]["count"] == 10
    monkeypatch.setattr(tasks.refresh_harm_statistics, "delay", lambda: None)
    _reports_about(first, [(["financial"], "received", 2026)] * 5)
    report = HarmReport.objects.order_by("-pk").first()
    harm_report_acknowledge(actor=harm_officer, report=report, message="Read.")  # a new tip
    provisional = client.get(detail)
    assert provisional.json()["harms"]["total"]["count"] == 10
    assert "ETag" not in provisional
    tasks.refresh_harm_statistics.apply()
    assert client.get(detail).json()["harms"]["total"]["count"] == 15


def test_the_statistics_read_in_each_readers_language(client, two_projects):
    """The protected family is computed once, in the language of whoever asked first (or of
    the task); every reader reads its labels and texts in their own."""
    from django.utils import translation

    from harms.models import HarmCategory

    first, _second = two_projects
    client.get(reverse("register:json"), HTTP_ACCEPT_LANGUAGE="en")  # computed in English
    german = client.get(reverse("register:json"), HTTP_ACCEPT_LANGUAGE="de").json()
    entry = client.get(f"/api/v1/register/{first.reference}/", HTTP_ACCEPT_LANGUAGE="de").json()
    with translation.override("de"):
        label = str(HarmCategory("financial").label)
        withheld = {str(translation.gettext("fewer than 5")), str(translation.gettext("withheld"))}
    assert label != "Financial harm"  # translated, so a frozen English label would show
    for stats in (german["harm_statistics"], entry["harms"]):
        financial = next(c for c in stats["by_category"] if c["key"] == "financial")
        assert financial["label"] == label
        hidden = [c["display"] for c in stats["by_category"] if c["count"] is None]
        assert set(hidden) <= withheld
