"""Read queries for harm reports, each in a fixed number of queries.

``harm_history_for``, ``harm_statistics`` and ``suspension_recommendations_open`` are read by
other apps (reviews, the public register, the chair's home): keep their names and shapes.
"""

import re
from collections import Counter

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.search import search_terms, text_search

from . import crypto
from .models import (
    OPEN_STATES,
    HarmCategory,
    HarmMessage,
    HarmReport,
    HarmReportState,
    RedressAction,
    Severity,
    SuspensionRecommendation,
)
from .permissions import can_read_all_reports, can_see_internal_notes

SMALL_COUNT = 5


def harm_report_queue(
    *,
    state: str = "",
    category: str = "",
    severity: str = "",
    application_id: int | None = None,
    dataset_id: int | None = None,
    overdue_only: bool = False,
    open_only: bool = False,
    q: str = "",
) -> QuerySet:
    """The panel's queue: overdue first, then by the next deadline; filters as the page asks.
    Searching for the words ``q`` puts the best match first (then the same order)."""
    qs = HarmReport.objects.select_related("reporter")
    if state:
        qs = qs.filter(state=state)
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    if category:
        # JSON containment is not portable to SQLite; a match on the quoted value is.
        qs = qs.filter(categories__icontains=f'"{category}"')
    if severity:
        qs = qs.filter(severity=severity)
    if application_id:
        qs = qs.filter(applications__pk=application_id)
    if dataset_id:
        qs = qs.filter(datasets__pk=dataset_id)
    if overdue_only:
        qs = qs.filter(next_due_at__lt=timezone.now())
    # Filtering on one linked project or dataset cannot duplicate rows: no DISTINCT needed.
    # Soonest deadline first: the overdue ones (a deadline already past) come first, then the
    # rest, then decided reports (no deadline); ``harm_report_due_idx`` matches this order.
    qs = qs.prefetch_related("applications", "datasets").order_by(
        F("next_due_at").asc(nulls_last=True), "-received_at", "-id"
    )
    return harm_report_search(qs, q)


def harm_report_queue_listing(reports: QuerySet) -> QuerySet:
    """The queue page's columns of ``reports`` (from ``harm_report_queue``): reference, state,
    severity, kinds and deadline, without the long texts, the reporter or the datasets (the
    linked projects' references come with ``harm_report_queue_rows``)."""
    return (
        reports.select_related(None)
        .prefetch_related(None)
        .only("id", "state", "severity", "categories", "received_at", "next_due_at")
    )


# Each relation of a report in its model's own order (``Application.Meta``: newest first;
# ``Dataset.Meta``: by title), as the related managers give them.
_LINK_ORDER = {
    "applications": ("-application__created_at", "-application_id"),
    "datasets": ("dataset__title",),
}


def linked_values(report_ids, relation: str, column: str) -> dict[int, list]:
    """``column`` (``application_id``, ``application__reference``, ``dataset_id``, …) of each
    report's linked ``relation`` ("applications" or "datasets"), in the relation's own order:
    one query of the link table, not the related rows."""
    found: dict[int, list] = {pk: [] for pk in report_ids}
    if found:
        rows = (
            getattr(HarmReport, relation)
            .through.objects.filter(harmreport_id__in=found)
            .order_by(*_LINK_ORDER[relation])
            .values_list("harmreport_id", column)
        )
        for report_id, value in rows:
            found[report_id].append(value)
    return found


def harm_report_queue_rows(reports, *, now=None) -> list[dict]:
    """One dictionary per report of a queue page (from ``harm_report_queue_listing``), with
    the cells already written (labels, joined kinds and projects, the deadline as a date in
    the current time zone and language): the page's template then only places them."""
    from solidarity.listing import date_formatter, labels, pk_url

    now = now or timezone.now()
    reports = list(reports)
    linked = linked_values(
        [report.pk for report in reports], "applications", "application__reference"
    )
    states = labels(HarmReportState.choices)
    severities = labels(Severity.choices)
    kinds = labels(HarmCategory.choices)
    url = pk_url("harms:detail")
    day = date_formatter("DATE_FORMAT")
    rows = []
    for report in reports:
        due = report.next_due_at
        projects = [f"{reference}" for reference in linked[report.pk]]
        rows.append(
            {
                "pk": report.pk,
                "reference": report.reference,
                "url": url(report.pk),
                "state": states.get(report.state, report.state),
                "severity": severities.get(report.severity, report.severity) or "—",
                "kinds": ", ".join(kinds.get(c, c) for c in report.categories),
                "projects": ", ".join(projects) if projects else "—",
                "due": day(due) if due else "",
                "overdue": due is not None and due < now,
            }
        )
    return rows


_REFERENCE = re.compile(r"^\s*HR-(\d{4})-(\d+)\s*$", re.IGNORECASE)


def harm_report_search(qs: QuerySet, q) -> QuerySet:
    """Reports of ``qs`` matching the words ``q`` in what happened, the project as named, the
    linked projects and datasets and the outcome, best first; a full reference (HR-2026-00042)
    finds its report."""
    reference = _REFERENCE.match(search_terms(q))
    also = Q(pk=int(reference[2]), received_at__year=int(reference[1])) if reference else None
    return text_search(
        qs,
        q,
        fallback=(
            "what_happened",
            "project_hint",
            "occurred_when",
            "outcome",
            "referred_to",
            "applications__reference",
            "applications__title",
            "datasets__title",
        ),
        also=also,
    )


def queue_counts() -> dict:
    """Open reports by state, and how many are overdue, in one query."""
    rows = HarmReport.objects.filter(state__in=OPEN_STATES).aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(next_due_at__lt=timezone.now())),
        received=Count("id", filter=Q(state=HarmReportState.RECEIVED)),
        triaged=Count("id", filter=Q(state=HarmReportState.TRIAGED)),
        investigating=Count("id", filter=Q(state=HarmReportState.INVESTIGATING)),
        redress_offered=Count("id", filter=Q(state=HarmReportState.REDRESS_OFFERED)),
    )
    return rows


def harm_reports_of(user) -> QuerySet:
    """The reports a signed-in reporter made, newest first."""
    if not getattr(user, "is_authenticated", False):
        return HarmReport.objects.none()
    return HarmReport.objects.filter(reporter=user).order_by("-received_at", "-id")


def harm_reports_visible_to(user) -> QuerySet:
    """Officers and auditors see every report; anyone else only their own."""
    if can_read_all_reports(user):
        return HarmReport.objects.all()
    if getattr(user, "is_authenticated", False):
        return HarmReport.objects.filter(reporter=user)
    return HarmReport.objects.none()


def with_thread(reports: QuerySet, *, internal: bool) -> QuerySet:
    """Reports with their thread (internal notes only when ``internal``), files and redress."""
    messages = HarmMessage.objects.select_related("author").order_by("created_at", "id")
    if not internal:
        messages = messages.filter(internal=False)
    return reports.select_related("reporter").prefetch_related(
        Prefetch("messages", queryset=messages, to_attr="thread"),
        "attachments",
        Prefetch(
            "redress",
            queryset=RedressAction.objects.select_related("dataset", "dataset__custodian"),
            to_attr="redress_actions",
        ),
        "applications",
        "datasets",
        Prefetch(
            "suspension_recommendations",
            queryset=SuspensionRecommendation.objects.select_related("application"),
            to_attr="recommendations",
        ),
    )


def harm_report_detail(*, reports: QuerySet, pk: int, internal: bool) -> HarmReport:
    """One report with everything its page shows; raises DoesNotExist when not in ``reports``."""
    return with_thread(reports, internal=internal).get(pk=pk)


def harm_report_for_receipt(pk: int) -> HarmReport:
    """The report a receipt code opened, with what its reporter's page shows: the thread
    without internal notes and the redress actions (not the linked projects, datasets, files
    or recommendations, which that page does not show). Raises DoesNotExist."""
    messages = (
        HarmMessage.objects.filter(internal=False)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return HarmReport.objects.prefetch_related(
        Prefetch("messages", queryset=messages, to_attr="thread"),
        Prefetch(
            "redress",
            queryset=RedressAction.objects.select_related("dataset", "dataset__custodian"),
            to_attr="redress_actions",
        ),
    ).get(pk=pk)


def harm_report_for(user, pk: int) -> HarmReport:
    """The report as ``user`` may see it; raises DoesNotExist for anyone else."""
    return harm_report_detail(
        reports=harm_reports_visible_to(user), pk=pk, internal=can_see_internal_notes(user)
    )


def harm_report_by_receipt(code: str) -> HarmReport | None:
    """The report whose receipt code this is, or None; a wrong and a missing code look alike."""
    if not crypto.normalise_receipt_code(code):
        return None
    digest = crypto.receipt_hash(code)
    report = HarmReport.objects.filter(receipt_hash=digest).first()
    if report is None or not crypto.receipt_matches(code, report.receipt_hash):
        return None
    return report


def reporter_contact(report: HarmReport) -> dict:
    """The decrypted contact details; call only for a harm officer."""
    return crypto.decrypt_contact(report.contact_ciphertext)


def payment_details(action: RedressAction) -> dict:
    """The decrypted bank details a reporter gave for financial support; for harm officers."""
    return crypto.decrypt_contact(action.payment_details_ciphertext)


def redress_actions_visible_to(user) -> QuerySet:
    qs = RedressAction.objects.select_related("report", "dataset")
    if can_read_all_reports(user):
        return qs
    if getattr(user, "is_authenticated", False):
        return qs.filter(report__reporter=user)
    return qs.none()


def data_requests_for_custodian(user) -> QuerySet:
    """Accepted corrections and deletions on datasets this custodian manages, to carry out."""
    from guardian.shortcuts import get_objects_for_user

    from solidarity.catalog.models import Dataset

    from .rules import NOT_FOR_CUSTODIAN

    datasets = get_objects_for_user(
        user, "catalog.manage_dataset", klass=Dataset, accept_global_perms=False
    )
    return (
        RedressAction.objects.filter(
            dataset__in=datasets, kind__in=["data_correction", "data_deletion"]
        )
        .exclude(state__in=NOT_FOR_CUSTODIAN)
        .select_related("dataset")
        .order_by("state", "responded_at")
    )


def suspension_recommendations() -> QuerySet:
    """Every suspension recommendation, newest first, with its project and report (for the
    chair, the harm panel and auditors)."""
    return SuspensionRecommendation.objects.select_related("application", "report").order_by(
        "-created_at", "-id"
    )


def suspension_recommendations_open() -> QuerySet:
    """Open suspension recommendations for the chair, oldest first, with their project."""
    return (
        SuspensionRecommendation.objects.filter(state=SuspensionRecommendation.State.OPEN)
        .select_related("application", "report", "recommended_by")
        .order_by("created_at", "id")
    )


def public_projects(search: str, limit: int = 20) -> list:
    """Projects on the public register matching a title or reference, for the report form."""
    from applications.models import Application
    from applications.rules import public_q

    search = (search or "").strip()
    if not search:
        return []
    return list(
        Application.objects.filter(public_q())
        .filter(Q(reference__iexact=search) | Q(title__icontains=search))
        .order_by("-decided_at", "-id")[:limit]
    )


def harm_history_for(*, datasets, organisations) -> dict:
    """Anonymised harm history of these datasets and organisations, for reviewers.

    Counts (no free text, no identities) of reports linked to the datasets, to datasets the
    organisations hold, or to projects of the organisations: total, by category, severity
    and state. Two queries.
    """
    dataset_ids = [getattr(d, "pk", d) for d in datasets or []]
    org_ids = [getattr(o, "pk", o) for o in organisations or []]
    if not dataset_ids and not org_ids:
        return _history_from([])
    # Each report once, by id: a DISTINCT over the values would merge equal reports.
    linked = HarmReport.objects.filter(
        Q(datasets__pk__in=dataset_ids)
        | Q(datasets__custodian_id__in=org_ids)
        | Q(applications__organisation_id__in=org_ids)
    ).values("pk")
    rows = list(
        HarmReport.objects.filter(pk__in=linked).values_list("categories", "severity", "state")
    )
    return _history_from(rows)


def _history_from(rows) -> dict:
    categories = Counter(c for cats, _s, _st in rows for c in cats)
    severities = Counter(s or "ungraded" for _c, s, _st in rows)
    states = Counter(st for _c, _s, st in rows)
    severity_labels = {**dict(Severity.choices), "ungraded": _("Not yet graded")}
    return {
        "total": len(rows),
        "by_category": _labelled(categories, dict(HarmCategory.choices)),
        "by_severity": _labelled(severities, severity_labels),
        "by_state": _labelled(states, dict(HarmReportState.choices)),
    }


def _labelled(counter: Counter, labels: dict) -> list[dict]:
    return [
        {"key": key, "label": str(label), "count": counter[key]}
        for key, label in labels.items()
        if counter.get(key)
    ]


def _suppressed(key, label, count: int) -> dict:
    small = 0 < count < SMALL_COUNT
    return {
        "key": key,
        "label": str(label),
        "count": None if small else count,
        "display": _("fewer than 5") if small else str(count),
    }


def harm_statistics(*, application_ids=None) -> dict:
    """Public harm statistics: reports by category, state and year; counts 1-4 suppressed.

    With ``application_ids``, only reports linked to those projects. Suppressed counts are
    ``None`` with the display "fewer than 5". One query.
    """
    qs = HarmReport.objects.all()
    if application_ids is not None:
        linked = HarmReport.objects.filter(applications__pk__in=list(application_ids))
        qs = qs.filter(pk__in=linked.values("pk"))
    # Grouped in SQL: a few dozen (categories, state, year) rows, however many reports.
    rows = list(
        qs.annotate(year=ExtractYear("received_at"))
        .values_list("categories", "state", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    categories, states, years = Counter(), Counter(), Counter()
    for cats, state, year, n in rows:
        for c in cats:
            categories[c] += n
        states[state] += n
        years[year] += n
    return {
        "total": _suppressed("total", _("All reports"), sum(n for *_r, n in rows)),
        "by_category": [_suppressed(k, label, categories[k]) for k, label in HarmCategory.choices],
        "by_state": [_suppressed(k, label, states[k]) for k, label in HarmReportState.choices],
        "by_year": [_suppressed(y, str(y), years[y]) for y in sorted(years)],
    }


def harm_counts(*, application_ids=None) -> dict:
    """Raw (unsuppressed) report counts for the public register, which applies its own
    disclosure control: ``total`` and ``by_category``/``by_state``/``by_year`` as lists of
    ``(key, label, count)``. Never publish these as they are. One query.
    """
    qs = HarmReport.objects.all()
    if application_ids is not None:
        linked = HarmReport.objects.filter(applications__pk__in=list(application_ids))
        qs = qs.filter(pk__in=linked.values("pk"))
    # Grouped in SQL: one row per distinct (kinds, state, quarter), however many reports.
    rows = (
        qs.annotate(year=ExtractYear("received_at"), quarter=ExtractQuarter("received_at"))
        .values_list("categories", "state", "year", "quarter")
        .order_by()
        .annotate(n=Count("pk"))
    )
    categories, states, years, quarters = Counter(), Counter(), Counter(), Counter()
    total = 0
    for cats, state, year, quarter, n in rows:
        for c in cats or ():
            categories[c] += n
        states[state] += n
        years[year] += n
        quarters[(year, quarter)] += n
        total += n
    return {
        "total": total,
        "by_quarter": [(y, q, quarters[(y, q)]) for y in sorted(years) for q in (1, 2, 3, 4)],
        "by_category": [(k, label, categories[k]) for k, label in HarmCategory.choices],
        "by_state": [(k, label, states[k]) for k, label in HarmReportState.choices],
        "by_year": [(y, str(y), years[y]) for y in sorted(years)],
    }


def redress_report_categories(action_ids) -> dict[int, list[str]]:
    """The kinds of harm named by the report behind each redress action, by action id, for
    the public fund page (no text, no identity). One query."""
    return dict(
        RedressAction.objects.filter(pk__in=list(action_ids)).values_list(
            "pk", "report__categories"
        )
    )


def harm_counts_by_application(*, applications: QuerySet) -> dict:
    """Raw counts as ``harm_counts`` gives them, for each of ``applications`` that a report
    names (``{application id: counts}``, quarters left out). One query, however many."""
    through = HarmReport.applications.through
    rows = (
        through.objects.filter(application__in=applications)
        .annotate(year=ExtractYear("harmreport__received_at"))
        .values_list("application_id", "harmreport__categories", "harmreport__state", "year")
        .order_by()
        .annotate(n=Count("pk"))
    )
    grouped: dict = {}
    for application_id, cats, state, year, n in rows:
        counters = grouped.setdefault(application_id, (Counter(), Counter(), Counter(), [0]))
        for c in cats or ():
            counters[0][c] += n
        counters[1][state] += n
        counters[2][year] += n
        counters[3][0] += n
    return {
        pk: {
            "total": total[0],
            "by_category": [(k, label, categories[k]) for k, label in HarmCategory.choices],
            "by_state": [(k, label, states[k]) for k, label in HarmReportState.choices],
            "by_year": [(y, str(y), years[y]) for y in sorted(years)],
        }
        for pk, (categories, states, years, total) in grouped.items()
    }


def harm_counts_by_dataset() -> dict:
    """Raw (unsuppressed) report counts per dataset and per organisation holding it (the
    custodian), for the public register's disclosure control. Never publish these as they are.

    Only the datasets a report itself names count (those the triage confirmed,
    ``HarmReport.datasets``); the datasets of the projects a report names do not: a report
    about a project is not a report about each of its datasets. Every report counts, as in
    ``harm_counts``. A custodian counts each report naming any of its datasets once.

    Returns ``by_dataset`` as ``(dataset id, title, custodian slug, custodian name, count)``,
    ``by_organisation`` as ``(slug, name, count)`` (only datasets and custodians some report
    names, by name) and ``reports``, the reports naming any dataset. One query.
    """
    links = (
        HarmReport.datasets.through.objects.values_list(
            "harmreport_id",
            "dataset_id",
            "dataset__title",
            "dataset__custodian__slug",
            "dataset__custodian__name",
        )
        .order_by()
        .distinct()
    )
    datasets: dict = {}
    organisations: dict = {}
    reports = set()
    for report_id, dataset_id, title, slug, name in links:
        datasets.setdefault(dataset_id, [title, slug, name, 0])[3] += 1
        organisations.setdefault(slug, [name, set()])[1].add(report_id)
        reports.add(report_id)
    return {
        "reports": len(reports),
        "by_dataset": sorted(
            ((pk, title, slug, name, n) for pk, (title, slug, name, n) in datasets.items()),
            key=lambda row: (row[3], row[1], row[0]),
        ),
        "by_organisation": sorted(
            ((slug, name, len(ids)) for slug, (name, ids) in organisations.items()),
            key=lambda row: (row[1], row[0]),
        ),
    }
