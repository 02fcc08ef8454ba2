"""Lessons from harm reports reach the next review, and a threshold opens harm reviews.

Services (``harm_lesson_record``, ``harm_reviews_open_due``, ``harm_review_close``) and the
selectors reviewers and the chair read (``lessons_for``, ``harm_reviews_open``). Kept apart
from ``harms.services`` so that module's rules stay where they are; every entrance (HTML, API,
the periodic task) calls these functions.
"""

import re
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.accounts.roles import Role
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.notifications.services import notify

from .lesson_models import LESSON_LIMIT, HarmLesson, HarmReview, HarmReviewScope
from .models import DECIDED_STATES, HarmReport, HarmReportState, Severity
from .permissions import can_decide_suspension, is_harm_officer

SEVERITY_ORDER = [Severity.LOW, Severity.MODERATE, Severity.SEVERE, Severity.CRITICAL]

# What an anonymised lesson must not contain: an e-mail address, a telephone number, a long
# number (record or insurance numbers), or a report or receipt reference.
_IDENTIFYING = [
    re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+"),
    re.compile(r"\+?\d[\d\s().-]{6,}\d"),
    re.compile(r"\bHR-\d{4}-\d+\b", re.IGNORECASE),
]


def _reporter_words(report: HarmReport) -> list[str]:
    """Names and addresses the reporter gave, to refuse a lesson that repeats them."""
    words = []
    if report.reporter_id:
        user = report.reporter
        words += [user.get_username(), user.email, user.first_name, user.last_name]
    if report.contact_ciphertext:
        from .crypto import decrypt_contact

        contact = decrypt_contact(report.contact_ciphertext)
        words += [contact.get("name", ""), contact.get("email", ""), contact.get("phone", "")]
        words += (contact.get("name") or "").split()
    return [w.strip() for w in words if w and len(w.strip()) >= 3]


def _check_anonymised(report: HarmReport, text: str) -> None:
    lowered = text.casefold()
    if any(p.search(text) for p in _IDENTIFYING) or any(
        re.search(rf"\b{re.escape(w.casefold())}\b", lowered) for w in _reporter_words(report)
    ):
        raise DomainError(
            _("A lesson must not identify anyone: remove names, addresses and numbers."),
            field_errors={"lesson": [_("Remove what identifies a person or a report.")]},
        )


def harm_lesson_record(*, actor, report: HarmReport, text: str) -> HarmLesson:
    """Write the anonymised lesson of a decided report, for reviewers of later applications.

    Precondition: a harm officer; the report is decided (resolved, closed or referred) and has
    no lesson yet; the text is at most ``LESSON_LIMIT`` characters and names no one (no
    reporter's name or address, no e-mail, telephone or long number, no report reference).
    Side effects: an audited ``harm_lesson.record``. Called in the same transaction as the
    resolution by the resolve form and API, so both are saved or neither.
    """
    text = (text or "").strip()
    if not is_harm_officer(actor):
        raise PermissionDenied(_("Only harm officers may do this."))
    if not text:
        raise DomainError(_("Write the lesson."), field_errors={"lesson": [_("Required.")]})
    if len(text) > LESSON_LIMIT:
        raise DomainError(
            _("The lesson is too long."),
            field_errors={"lesson": [_("At most %(n)d characters.") % {"n": LESSON_LIMIT}]},
        )
    with transaction.atomic():
        report = (
            HarmReport.objects.select_for_update(of=("self",))
            .select_related("reporter")
            .get(pk=report.pk)
        )
        if report.state not in DECIDED_STATES:
            raise TransitionNotAllowed(_("A lesson is written once the report is decided."))
        if HarmLesson.objects.filter(report_id=report.pk).exists():
            raise TransitionNotAllowed(_("This report already has its lesson."))
        _check_anonymised(report, text)
        lesson = HarmLesson.objects.create(report=report, text=text, created_by=actor)
        audit.record(
            actor=actor,
            action="harm_lesson.record",
            target=report,
            payload={"lesson": lesson.pk, "length": len(text)},
        )
    return lesson


def lessons_for(*, datasets, organisations, limit: int = 10) -> list[dict]:
    """The newest lessons of reports about these datasets or organisations, for reviewers.

    Linked as in ``harm_history_for``: the report names the dataset, a dataset the
    organisation holds, or a project of the organisation. Only the lesson's text, the
    report's categories and severity and the month it was written: nothing that identifies a
    reporter. One query.
    """
    dataset_ids = [getattr(d, "pk", d) for d in datasets or []]
    org_ids = [getattr(o, "pk", o) for o in organisations or []]
    if not dataset_ids and not org_ids:
        return []
    linked = HarmReport.objects.filter(
        Q(datasets__pk__in=dataset_ids)
        | Q(datasets__custodian_id__in=org_ids)
        | Q(applications__organisation_id__in=org_ids)
    ).values("pk")
    rows = (
        HarmLesson.objects.filter(report_id__in=linked)
        .order_by("-created_at", "-id")
        .values_list("text", "created_at", "report__categories", "report__severity")[:limit]
    )
    from .models import HarmCategory

    categories = dict(HarmCategory.choices)
    severities = dict(Severity.choices)
    return [
        {
            "text": text,
            "month": created_at.strftime("%Y-%m"),
            "categories": [str(categories.get(c, c)) for c in cats],
            "severity": str(severities.get(severity, "")) if severity else "",
        }
        for text, created_at, cats, severity in rows
    ]


def _at_least(severity: str) -> list[str]:
    return [s.value for s in SEVERITY_ORDER[SEVERITY_ORDER.index(severity) :]]


def _groups(since) -> dict[tuple[str, int], dict]:
    """Qualifying reports per dataset and per organisation: ids and the newest time."""
    qualifying = HarmReport.objects.filter(
        severity__in=_at_least(settings.HARM_REVIEW_THRESHOLD_SEVERITY), received_at__gte=since
    ).exclude(state=HarmReportState.CLOSED_NO_ACTION)
    groups: dict[tuple[str, int], dict] = defaultdict(lambda: {"reports": {}, "label": ""})
    by_dataset = HarmReport.datasets.through.objects.filter(
        harmreport_id__in=qualifying.values("pk")
    ).values_list(
        "harmreport_id",
        "harmreport__received_at",
        "dataset_id",
        "dataset__title",
        "dataset__custodian_id",
        "dataset__custodian__name",
    )
    for report_id, at, dataset_id, title, org_id, org_name in by_dataset:
        for key, label in (
            ((HarmReviewScope.DATASET, dataset_id), title),
            ((HarmReviewScope.ORGANISATION, org_id), org_name),
        ):
            if key[1] is None:
                continue
            groups[key]["reports"][report_id] = at
            groups[key]["label"] = label
    by_project = HarmReport.applications.through.objects.filter(
        harmreport_id__in=qualifying.values("pk"), application__organisation_id__isnull=False
    ).values_list(
        "harmreport_id",
        "harmreport__received_at",
        "application__organisation_id",
        "application__organisation__name",
    )
    for report_id, at, org_id, org_name in by_project:
        key = (HarmReviewScope.ORGANISATION, org_id)
        groups[key]["reports"][report_id] = at
        groups[key]["label"] = org_name
    return groups


def _active_projects(scope: str, scope_id: int):
    from applications.models import Application, ApplicationState

    active = Application.objects.filter(state=ApplicationState.ACTIVE)
    if scope == HarmReviewScope.DATASET:
        found = active.filter(dataset_requests__dataset_id=scope_id)
    else:
        found = active.filter(
            Q(organisation_id=scope_id) | Q(dataset_requests__dataset__custodian_id=scope_id)
        )
    return list(found.distinct().order_by("id"))


def harm_reviews_open_due(*, actor="system", now=None) -> list[HarmReview]:
    """Open a harm review of each active project concerned where the threshold is passed.

    The threshold (settings ``HARM_REVIEW_THRESHOLD_REPORTS``, ``_SEVERITY``, ``_DAYS``): that
    many reports graded at least that severe, received within that many days, about one
    dataset (the report names it) or one organisation (it names a dataset the organisation
    holds, or a project of the organisation); reports closed without action do not count.
    Idempotent: a project has at most one open review per dataset or organisation, and a
    closed one is followed by a new one only when a newer report passes the threshold again.
    Side effects: each review opened is audited (``harm_review.open``) and the chairs are
    notified. Run by the periodic task and after each triage. Returns the reviews opened.
    """
    now = now or timezone.now()
    days = settings.HARM_REVIEW_THRESHOLD_DAYS
    minimum = settings.HARM_REVIEW_THRESHOLD_REPORTS
    opened = []
    for (scope, scope_id), group in sorted(_groups(now - timedelta(days=days)).items()):
        reports = group["reports"]
        if len(reports) < minimum:
            continue
        newest = max(reports.values())
        for application in _active_projects(scope, scope_id):
            review = _open_one(
                actor=actor,
                application=application,
                scope=scope,
                scope_id=scope_id,
                label=group["label"],
                count=len(reports),
                newest=newest,
                days=days,
            )
            if review is not None:
                opened.append(review)
    return opened


def _open_one(*, actor, application, scope, scope_id, label, count, newest, days):
    seen = HarmReview.objects.filter(
        application=application, scope=scope, scope_id=scope_id
    ).filter(Q(state=HarmReview.State.OPEN) | Q(last_report_at__gte=newest))
    if seen.exists():
        return None
    try:
        with transaction.atomic():
            review = HarmReview.objects.create(
                application=application,
                scope=scope,
                scope_id=scope_id,
                scope_label=label[:250],
                report_count=count,
                min_severity=settings.HARM_REVIEW_THRESHOLD_SEVERITY,
                window_days=days,
                last_report_at=newest,
            )
            audit.record(
                actor=actor,
                action="harm_review.open",
                target=application,
                to_state=HarmReview.State.OPEN,
                payload={
                    "review": review.pk,
                    "scope": scope,
                    "scope_id": scope_id,
                    "reports": count,
                    "min_severity": review.min_severity,
                    "days": days,
                },
            )
            chairs = get_user_model().objects.filter(groups__name=Role.CHAIR, is_active=True)
            notify(
                recipients=list(chairs),
                kind="harm_review.open",
                context=lambda: {
                    "subject": _("Harm review opened: %(ref)s")
                    % {"ref": application.reference or application.title},
                    "body": _(
                        "%(n)d harm reports about %(what)s within %(days)d days passed the "
                        "threshold; review this active project."
                    )
                    % {"n": count, "what": label, "days": days},
                },
                url="/harms/recommendations/",
            )
    except IntegrityError:
        # Another run opened the same review at the same moment.
        return None
    return review


def harm_review_close(*, actor, review: HarmReview, outcome: str) -> HarmReview:
    """The chair closes a harm review with its outcome (e.g. conditions added, suspended).

    Precondition: the chair; the review is open; an outcome is given. Audited
    ``harm_review.close``.
    """
    outcome = (outcome or "").strip()
    if not outcome:
        raise DomainError(
            _("Write the outcome of the review."), field_errors={"outcome": [_("Required.")]}
        )
    with transaction.atomic():
        review = HarmReview.objects.select_for_update().get(pk=review.pk)
        if not can_decide_suspension(actor):
            raise PermissionDenied(_("Only the chair may close a harm review."))
        if review.state != HarmReview.State.OPEN:
            raise TransitionNotAllowed(_("This harm review is already closed."))
        review.state = HarmReview.State.CLOSED
        review.closed_by = actor
        review.closed_at = timezone.now()
        review.outcome = outcome[:4000]
        review.save(update_fields=["state", "closed_by", "closed_at", "outcome"])
        audit.record(
            actor=actor,
            action="harm_review.close",
            target=review.application,
            from_state=HarmReview.State.OPEN,
            to_state=HarmReview.State.CLOSED,
            payload={"review": review.pk},
        )
    return review


def harm_reviews_open():
    """Open harm reviews with their projects, oldest first, for the chair. One query."""
    return HarmReview.objects.filter(state=HarmReview.State.OPEN).select_related("application")


def harm_reviews_check_after_commit() -> None:
    """After a triage commits, look at the threshold again (through the task, off the request)."""

    def _queue():
        from .tasks import open_harm_reviews

        try:
            open_harm_reviews.delay()
        except Exception:  # the periodic run opens it later; a triage never fails for it
            import logging

            logging.getLogger(__name__).warning("harm review check not queued", exc_info=True)

    transaction.on_commit(_queue)
