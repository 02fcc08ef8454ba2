from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from harms import selectors, services, sla
from harms.models import HarmReport
from tests.factories import DatasetFactory

from .factories import make_application, make_report

pytestmark = pytest.mark.django_db


def test_working_days_skip_weekends():
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Vienna"))
    assert sla.add_working_days(friday, 1).weekday() == 0  # Monday
    assert sla.add_working_days(friday, 2) == friday + timedelta(days=4)
    assert sla.add_working_days(friday, 10) == friday + timedelta(days=14)


def test_deadlines_follow_settings(settings):
    settings.HARM_ACKNOWLEDGE_WORKING_DAYS = 1
    settings.HARM_TRIAGE_WORKING_DAYS = 3
    report, _ = make_report()
    assert report.acknowledge_due == sla.add_working_days(report.received_at, 1)
    assert report.triage_due == sla.add_working_days(report.received_at, 3)
    assert report.decision_due == sla.add_working_days(report.received_at, 28)


def _age(report, days):
    received = timezone.now() - timedelta(days=days)
    deadlines = sla.deadlines_from(received)
    report.refresh_from_db()
    HarmReport.objects.filter(pk=report.pk).update(
        received_at=received, next_due_at=sla.next_due_at(report, **deadlines), **deadlines
    )


def test_queue_puts_overdue_reports_first(client, harm_officer):
    fresh, _ = make_report(what_happened="fresh one")
    old, _ = make_report(what_happened="old one")
    _age(old, 10)
    rows = list(selectors.harm_report_queue())
    assert rows[0].pk == old.pk and rows[0].is_overdue
    assert not rows[1].is_overdue
    client.force_login(harm_officer)
    body = client.get(reverse("harms:queue")).content.decode()
    assert body.index(old.reference) < body.index(fresh.reference)
    assert "overdue" in body


def test_queue_filters(harm_officer, researcher, organisation):
    dataset = DatasetFactory(custodian=organisation)
    project = make_application(researcher)
    a, _ = make_report(categories=["financial"])
    b, _ = make_report(categories=["discrimination"])
    services.harm_report_triage(
        actor=harm_officer,
        report=b,
        severity="critical",
        applications=[project],
        datasets=[dataset],
    )
    assert [r.pk for r in selectors.harm_report_queue(category="financial")] == [a.pk]
    assert [r.pk for r in selectors.harm_report_queue(severity="critical")] == [b.pk]
    assert [r.pk for r in selectors.harm_report_queue(state="received")] == [a.pk]
    assert [r.pk for r in selectors.harm_report_queue(application_id=project.pk)] == [b.pk]
    assert [r.pk for r in selectors.harm_report_queue(dataset_id=dataset.pk)] == [b.pk]


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# The page's own queries are fixed; the shared layout (navigation, badges of other apps) adds
# a few more that change as apps evolve, so each test compares 1 row with 50 on one page.


def test_queue_page_runs_a_fixed_number_of_queries(client, harm_officer, researcher):
    project = make_application(researcher)
    dataset = DatasetFactory()

    def add(n):
        for i in range(n):
            report, _ = make_report(what_happened=f"report {i}")
            report.applications.add(project)
            report.datasets.add(dataset)

    add(1)
    client.force_login(harm_officer)
    url = reverse("harms:queue")
    client.get(url)  # warm the content-type cache
    one = _queries(client, url)
    add(49)
    fifty = _queries(client, url)
    assert one == fifty <= 15
    assert _queries(client, url + "?state=received&overdue=on") <= 15


def test_my_reports_page_runs_a_fixed_number_of_queries(client, researcher):
    make_report(actor=researcher)
    client.force_login(researcher)
    url = reverse("harms:mine")
    client.get(url)
    one = _queries(client, url)
    for _ in range(49):
        make_report(actor=researcher)
    assert one == _queries(client, url) <= 12


def test_harm_history_is_anonymised_counts(
    harm_officer, researcher, organisation, other_organisation
):
    dataset = DatasetFactory(custodian=organisation)
    other_dataset = DatasetFactory(custodian=other_organisation)
    project = make_application(researcher, organisation=other_organisation)
    a, _ = make_report(categories=["privacy_breach", "financial"])
    services.harm_report_triage(actor=harm_officer, report=a, severity="severe", datasets=[dataset])
    b, _ = make_report(categories=["financial"])
    services.harm_report_triage(
        actor=harm_officer, report=b, severity="low", applications=[project]
    )
    make_report(categories=["other"])  # linked to nothing
    history = selectors.harm_history_for(datasets=[dataset], organisations=[other_organisation])
    assert history["total"] == 2
    by_category = {row["key"]: row["count"] for row in history["by_category"]}
    assert by_category == {"privacy_breach": 1, "financial": 2}
    assert {row["key"] for row in history["by_severity"]} == {"severe", "low"}
    assert "insurer" not in str(history) and "dana" not in str(history).lower()
    assert selectors.harm_history_for(datasets=[other_dataset], organisations=[])["total"] == 0


def test_statistics_suppress_small_counts(harm_officer, researcher):
    project = make_application(researcher)
    for _ in range(6):
        make_report(categories=["privacy_breach"])
    for _ in range(2):
        report, _ = make_report(categories=["discrimination"])
        report.applications.add(project)
    stats = selectors.harm_statistics()
    by_category = {row["key"]: row for row in stats["by_category"]}
    assert by_category["privacy_breach"]["count"] == 6
    assert by_category["discrimination"]["count"] is None
    assert by_category["discrimination"]["display"] == "fewer than 5"
    assert by_category["financial"]["count"] == 0
    assert stats["total"]["count"] == 8
    year = timezone.now().year
    assert stats["by_year"] == [{"key": year, "label": str(year), "count": 8, "display": "8"}]
    assert {r["key"]: r["count"] for r in stats["by_state"]}["received"] == 8
    limited = selectors.harm_statistics(application_ids=[project.pk])
    assert limited["total"]["count"] is None


def test_officer_home_panel_counts_overdue(client, harm_officer):
    report, _ = make_report()
    _age(report, 5)
    client.force_login(harm_officer)
    body = client.get(reverse("home")).content.decode()
    assert "Harm reports" in body and report.reference in body


def test_reporter_home_panel_lists_own_reports(client, researcher):
    report, _ = make_report(actor=researcher)
    client.force_login(researcher)
    assert report.reference in client.get(reverse("home")).content.decode()


def test_overdue_reminder_is_sent_once_a_day(harm_officer):
    from solidarity.notifications.models import Notification

    report, _ = make_report()
    _age(report, 6)
    assert services.harm_reports_remind_overdue() == 1
    assert services.harm_reports_remind_overdue() == 0
    assert Notification.objects.filter(recipient=harm_officer, kind="harm_report.overdue").count()


def test_demo_seeder_is_idempotent(harm_officer):
    from harms.demo import seed_harms

    seed_harms()
    count = HarmReport.objects.count()
    seed_harms()
    assert HarmReport.objects.count() == count == 2


def test_queue_row_shows_every_column(client, harm_officer, researcher, organisation):
    """Each row: link to the report, state and severity in words, kinds, projects and the
    deadline (marked overdue); the bulk checkbox names its report."""
    project = make_application(researcher)
    plain, _ = make_report(categories=["financial", "discrimination"])
    triaged, _ = make_report()
    services.harm_report_triage(
        actor=harm_officer, report=triaged, severity="critical", applications=[project]
    )
    _age(plain, 10)
    client.force_login(harm_officer)
    body = client.get(reverse("harms:queue")).content.decode()
    detail = reverse("harms:detail", args=[plain.pk])
    row = body[body.index(f'id="pick-{plain.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'aria-label="Select {plain.reference}"' in row
    assert f'<a href="{detail}">{plain.reference}</a>' in row
    assert "<td>Received</td><td>—</td>" in row
    assert "<td>Financial harm, Discrimination</td>" in row
    assert "<td>—</td>" in row and '<span class="overdue">overdue</span>' in row
    other = body[body.index(f'id="pick-{triaged.pk}"') :]
    other = other[: other.index("</tr>")]
    assert "<td>Triaged</td><td>Critical</td>" in other
    assert f"<td>{project.reference}</td>" in other and "overdue" not in other


# The queue's row as the template wrote it before the view wrote it in Python.
_TEMPLATE_ROW = (
    "{% load i18n %}{% for r in rows %}\n"
    '    <tr>{% if bulk_form %}<td><input type="checkbox" name="reports" value="{{ r.pk }}" '
    'form="bulk-reports" id="pick-{{ r.pk }}" aria-label="{% blocktranslate with '
    'ref=r.reference %}Select {{ ref }}{% endblocktranslate %}"></td>{% endif %}'
    '<th scope="row"><a href="{{ r.url }}">{{ r.reference }}</a></th>\n'
    "    <td>{{ r.state }}</td><td>{{ r.severity }}</td>\n"
    "    <td>{{ r.kinds }}</td>\n"
    "    <td>{{ r.projects }}</td>\n"
    '    <td>{% if r.due %}{{ r.due }}{% if r.overdue %} <span class="overdue">{% translate '
    '"overdue" %}</span>{% endif %}{% else %}—{% endif %}</td></tr>\n'
    "  {% endfor %}"
)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_queue_rows_are_what_the_template_wrote(
    client, harm_officer, auditor, researcher, language
):
    """An overdue report, reports due later, several kinds and projects, a project reference
    with markup: the row template's bytes, with the bulk box for an officer, without for an
    auditor."""
    from django.template import Context, Template
    from django.utils import translation

    projects = [make_application(researcher, reference=f"DSA-2026-<{n}>") for n in (1, 2)]
    overdue, _ = make_report(categories=["financial", "discrimination"])
    _age(overdue, 10)
    triaged, _ = make_report()
    services.harm_report_triage(
        actor=harm_officer, report=triaged, severity="critical", applications=projects
    )
    make_report()
    for user, bulk in ((harm_officer, True), (auditor, False)):
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
        body = client.get(reverse("harms:queue"), HTTP_ACCEPT_LANGUAGE=language).content
        with translation.override(language):
            qs = selectors.harm_report_queue_listing(selectors.harm_report_queue())
            rows = selectors.harm_report_queue_rows(list(qs))
            expected = Template(_TEMPLATE_ROW).render(Context({"rows": rows, "bulk_form": bulk}))
        assert expected.count("<tr>") == 3
        assert "DSA-2026-&lt;1&gt;" in expected and ("pick-" in expected) == bulk
        assert expected.encode() in body
        assert b"<td>DSA-2026-&lt;2&gt;, DSA-2026-&lt;1&gt;</td>" in body  # newest first
