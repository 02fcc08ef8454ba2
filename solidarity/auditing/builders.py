"""Report builders that read across the apps: dossier, harm register, fund ledger.

Each returns the facts once, as plain data: the template renders them and the same data is
attached to the PDF as JSON. Reporters' identities and contact details never appear.
"""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from applications.models import Application
from applications.versioning import readable
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError
from solidarity.formatting import day, when

from .reports import (
    Built,
    _event_rows,
    _verification,
    period_bounds,
    period_label,
    register_builder,
)


def _iso(value):
    return value.isoformat() if value else ""


def dossier_application(reference: str) -> Application | None:
    """The submitted application a dossier is about, by its reference; None for no such one."""
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    return (
        Application.objects.select_related("organisation", "applicant")
        .exclude(state="draft")
        .filter(reference=reference)
        .first()
    )


def _application_part(app: Application) -> dict:
    return {
        "reference": app.reference,
        "title": app.title,
        "state": app.state,
        "state_label": str(app.get_state_display()),
        "applicant": str(app.applicant),
        "organisation": app.organisation.name if app.organisation else "",
        "lay_summary": app.lay_summary,
        "scientific_summary": app.scientific_summary,
        "aims": app.aims,
        "methods": app.methods,
        "public_benefit": app.public_benefit,
        "funding": app.funding,
        "commercial_involvement": app.commercial_involvement,
        "commercial_details": app.commercial_details,
        "research_use": str(app.get_research_use_display()),
        "start_date": _iso(app.start_date),
        "end_date": _iso(app.end_date),
        "access_expires_on": _iso(app.access_expires_on),
        "submitted_at": _iso(app.submitted_at),
        "decided_at": _iso(app.decided_at),
        "start_date_display": day(app.start_date),
        "end_date_display": day(app.end_date),
        "access_expires_display": day(app.access_expires_on),
        "team": [
            {"name": m.name, "role": m.role, "organisation": m.organisation} for m in app.team.all()
        ],
    }


def _versions_part(app: Application) -> list[dict]:
    return [
        {
            "number": v.number,
            "created_at": _iso(v.created_at),
            "created_at_display": when(v.created_at),
            "created_by": str(v.created_by),
            "fields": [{"label": label, "text": text} for label, text in readable(v.content)],
            "content": v.content,
        }
        for v in app.versions.select_related("created_by").order_by("number")
    ]


def _review_part(app: Application) -> dict:
    from reviews.models import UseType
    from reviews.selectors import committee_view

    type_labels = dict(UseType.choices)
    view = committee_view(app, quorum_default=getattr(settings, "REVIEW_QUORUM", 2))
    reviewers = []
    for column in view.columns:
        a, s = column.assignment, column.assessment
        # A reviewer's register is theirs until filed: drafts never leave the review page.
        filed = bool(s and s.filed_at and column.counted)
        reviewers.append(
            {
                "reviewer": str(a.reviewer),
                "role": str(a.get_role_display()),
                "state": str(a.get_state_display()),
                "conflict_declared": a.has_conflict,
                "conflict_details": a.conflict_details,
                "counted": column.counted,
                "benefit": round(s.benefit_normalised, 3) if filed else None,
                "safety": round(s.safety_normalised, 3) if filed else None,
                "type": s.use_type if filed else "",
                "risks": [
                    {
                        "category": str(r.get_category_display()),
                        "borne_by": str(r.get_borne_by_display()),
                        "description": r.description,
                        "before": r.likelihood * r.severity,
                        "after": r.residual_score,
                        "significant": r.is_significant,
                        "mitigation": r.mitigation,
                    }
                    for r in (column.risks if filed else [])
                ],
            }
        )
    c = view.classification
    self_result = None
    if view.self_result is not None:
        result = view.self_result
        self_result = {
            "benefit": round(result.benefit.normalised, 3),
            "safety": round(result.safety.normalised, 3),
            "type": result.type,
            "type_label": str(type_labels.get(result.type, result.type)),
            "filed_at": _iso(view.self_assessment.filed_at),
            "filed_at_display": when(view.self_assessment.filed_at),
            "other": view.self_assessment.other_specified(),
        }
    committee = view.committee
    return {
        "reviewers": reviewers,
        "self_assessment": self_result,
        "classification": {
            "computed_type": c.computed_type,
            "mean_benefit": c.mean_benefit,
            "mean_safety": c.mean_safety,
            "filings": c.filings,
            "override_type": c.override_type,
            "override_reason": c.override_reason,
            "type": c.effective_type,
            "type_label": str(type_labels.get(c.effective_type, c.effective_type or "")),
        },
        "votes": [
            {"voter": str(v.voter), "choice": str(v.get_choice_display()), "comment": v.comment}
            for v in view.votes
        ],
        "decision": _decision(app, committee),
        "conditions": [
            {
                "text": cond.text,
                "owner": str(cond.owner) if cond.owner_id else "",
                "due_on": _iso(cond.due_on),
                "due_on_display": day(cond.due_on),
                "state": str(cond.get_state_display()),
            }
            for cond in view.conditions
        ],
        "custodians": [
            {
                "dataset": row.request.dataset.title,
                "custodian": row.request.dataset.custodian.name,
                "access_mode": str(row.request.get_access_mode_display()),
                "decision": str(row.request.get_state_display()),
                "reason": row.request.decision_reason,
                "conditions": row.request.decision_conditions,
                "consent_conflicts": [str(getattr(x, "message", x)) for x in row.conflicts],
            }
            for row in view.datasets
        ],
    }


DECIDED = {"approved", "active", "suspended", "revoked", "closed", "rejected"}


def _decision(app: Application, committee) -> dict:
    """The committee's decision; for a project decided outside the committee's record (older
    data), the application's own approval or rejection as the audit trail holds it."""
    if committee is not None and committee.outcome != "pending":
        return {
            "outcome": str(committee.get_outcome_display()),
            "reason": committee.decision_reason,
            "decided_by": str(committee.decided_by) if committee.decided_by else "",
            "decided_at": _iso(committee.decided_at),
            "decided_at_display": when(committee.decided_at),
        }
    # While an amendment's round is open, the decision in force is the last one recorded.
    last = app.committee_decisions.select_related("decided_by").order_by("-round").first()
    if last is not None:
        return {
            "outcome": str(last.get_outcome_display()),
            "reason": last.reason,
            "decided_by": str(last.decided_by),
            "decided_at": _iso(last.decided_at),
            "decided_at_display": when(last.decided_at),
        }
    if app.decided_at and app.state in DECIDED:
        event = (
            AuditEvent.objects.filter(
                target_type="applications.application",
                target_id=str(app.pk),
                action__in=["application.approve", "application.reject"],
            )
            .order_by("-id")
            .first()
        )
        rejected = event.action == "application.reject" if event else app.state == "rejected"
        return {
            "outcome": str(_("Rejected") if rejected else _("Approved")),
            "reason": app.state_reason if rejected else "",
            "decided_by": event.actor_label if event else "",
            "decided_at": _iso(app.decided_at),
            "decided_at_display": when(app.decided_at),
        }
    return {
        "outcome": "",
        "reason": "",
        "decided_by": "",
        "decided_at": "",
        "decided_at_display": "",
    }


def _benefit_part(app: Application) -> list[dict]:
    from benefits.models import BenefitAgreement

    agreements = BenefitAgreement.objects.filter(application=app).prefetch_related("obligations")
    return [
        {
            "state": str(agreement.get_state_display()),
            "kind": str(agreement.get_kind_display()),
            "terms_version": agreement.terms_version,
            "signed_at": _iso(agreement.signed_at),
            "signed_at_display": when(agreement.signed_at),
            "obligations": [
                {
                    "kind": str(o.get_kind_display()),
                    "description": o.description,
                    "beneficiary": str(o.get_beneficiary_display()),
                    "due_date": _iso(o.due_date),
                    "due_date_display": day(o.due_date),
                    "state": str(o.get_state_display()),
                }
                for o in agreement.obligations.all()
            ],
        }
        for agreement in agreements
    ]


def _harm_part(app: Application) -> list[dict]:
    from harms.models import HarmCategory, HarmReport

    labels = dict(HarmCategory.choices)
    reports = HarmReport.objects.filter(applications=app).order_by("received_at")
    return [
        {
            "case": r.reference,
            "received": _iso(r.received_at),
            "received_display": day(r.received_at),
            "categories": [str(labels.get(c, c)) for c in r.categories],
            "severity": r.severity,
            "state": str(r.get_state_display()),
        }
        for r in reports
    ]


def _grants_part(app: Application) -> dict:
    """Access grants per member and dataset, and the runs nodes reported against them."""
    from grants.models import Grant, Run

    grants = Grant.objects.filter(application=app).select_related("user", "dataset")
    runs = Run.objects.filter(application=app).select_related("node__organisation", "flagged_by")
    return {
        "grants": [
            {
                "grant": f"G-{g.pk}",
                "member": str(g.user),
                "dataset": g.dataset.title,
                "access_mode": str(g.get_access_mode_display()),
                "started": _iso(g.started_at),
                "resumed": _iso(g.resumed_at),
                "ended": _iso(g.ended_at),
                "started_display": when(g.started_at),
                "resumed_display": when(g.resumed_at) if g.resumed_at else "",
                "ended_display": when(g.ended_at) if g.ended_at else "",
                "end_reason": str(g.get_end_reason_display()) if g.end_reason else "",
            }
            for g in grants.order_by("id")
        ],
        "runs": [
            {
                "run": f"R-{r.pk}",
                "grant": f"G-{r.grant_id}",
                "node": f"{r.node.name} ({r.node.organisation.name})",
                "ran_at": _iso(r.ran_at),
                "ran_at_display": when(r.ran_at),
                "what": r.job_reference or r.script_sha256,
                "script_sha256": r.script_sha256,
                "outputs": [str(o.get("name", "")) for o in r.outputs],
                "verdict": str(r.get_verdict_display()),
                "status": str(r.get_status_display()),
                "refusal": r.refusal_reason,
                "flag": r.flag_reason,
            }
            for r in runs.order_by("ran_at", "id")
        ],
    }


def _conversation_part(app: Application) -> dict:
    """The co-applicants and the whole conversation, committee-only messages marked (a dossier
    is for those who oversee the committee's work)."""
    members = app.members.select_related("user").order_by("invited_at", "id")
    messages = app.messages.select_related("author").prefetch_related("attachments")
    return {
        "members": [
            {
                "email": m.email,
                "account": str(m.user) if m.user_id else "",
                "role": str(m.get_role_display()),
                "state": str(m.get_state_display()),
            }
            for m in members
        ],
        "messages": [
            {
                "author": str(m.author),
                "at": _iso(m.created_at),
                "at_display": when(m.created_at),
                "visibility": m.visibility,
                "visibility_label": str(m.get_visibility_display()),
                "kind_label": str(m.get_kind_display()),
                "version": m.version,
                "body": m.body,
                "attachments": [
                    {"name": f.original_name, "sha256": f.sha256} for f in m.attachments.all()
                ],
            }
            for m in messages.order_by("created_at", "id")
        ],
    }


def _related_events(app: Application) -> list:
    targets = Q(target_type="applications.application", target_id=str(app.pk))
    for label, ids in [
        ("applications.datasetrequest", app.dataset_requests.values_list("pk", flat=True)),
        ("applications.message", app.messages.values_list("pk", flat=True)),
    ]:
        targets |= Q(target_type=label, target_id__in=[str(i) for i in ids])
    from grants.models import Grant, Run

    for label, model in (("grants.grant", Grant), ("grants.run", Run)):
        ids = model.objects.filter(application=app).values_list("pk", flat=True)
        targets |= Q(target_type=label, target_id__in=[str(i) for i in ids])
    try:
        from reviews.models import Assignment

        targets |= Q(
            target_type="reviews.assignment",
            target_id__in=[
                str(i)
                for i in Assignment.objects.filter(application=app).values_list("pk", flat=True)
            ],
        )
    except ImportError:
        pass
    return list(AuditEvent.objects.filter(targets).order_by("id"))


def build_dossier(params: dict) -> Built:
    reference = params.get("application", "")
    app = dossier_application(reference)
    if app is None:
        raise DomainError(_("No submitted application has the reference %s.") % reference)
    events = _event_rows(_related_events(app))
    data = {
        "application": _application_part(app),
        "versions": _versions_part(app),
        "review": _review_part(app),
        "benefit_agreements": _benefit_part(app),
        "harm_reports": _harm_part(app),
        "grants_and_runs": _grants_part(app),
        "conversation": _conversation_part(app),
        "audit_trail": events,
        "verification": _verification(),
    }
    sections = [
        ("application", _("The application")),
        ("versions", _("Versions")),
        ("review", _("Assessment and review")),
        ("decision", _("Decision and conditions")),
        ("custodians", _("Custodians' decisions")),
        ("benefits", _("Benefit sharing")),
        ("harms", _("Linked harm reports")),
        ("grants", _("Access grants and runs")),
        ("conversation", _("Co-applicants and conversation")),
        ("audit", _("Audit trail")),
    ]
    return Built(
        title=_("Application dossier"),
        template="reports/dossier.html",
        context={
            "report_subtitle": f"{app.reference}: {app.title}",
            "d": data,
            "events": events,
            "verification": data["verification"],
            "sections": [{"id": i, "title": t} for i, t in sections],
        },
        data=data,
    )


def build_harm_register(params: dict) -> Built:
    from harms.models import HarmCategory, HarmReport

    labels = dict(HarmCategory.choices)

    start, end = period_bounds(params)
    reports = (
        HarmReport.objects.filter(received_at__gte=start, received_at__lt=end)
        .prefetch_related("applications", "datasets", "redress")
        .order_by("received_at")
    )
    from benefits.money import format_amount

    rows = [
        {
            "case": r.reference,
            "received": _iso(r.received_at),
            "received_display": day(r.received_at),
            "state": str(r.get_state_display()),
            "severity": r.severity,
            "categories": [str(labels.get(c, c)) for c in r.categories],
            "affected": r.affected,
            "projects": [a.reference for a in r.applications.all() if a.reference],
            "datasets": [d.title for d in r.datasets.all()],
            "redress": [
                {
                    "kind": str(x.get_kind_display()),
                    "state": str(x.get_state_display()),
                    "amount_minor": x.amount_minor,
                    "currency": x.currency,
                    "amount": format_amount(x.amount_minor, x.currency) if x.amount_minor else "",
                }
                for x in r.redress.all()
            ],
        }
        for r in reports
    ]
    period = period_label(params)
    return Built(
        title=_("Harm register"),
        template="reports/harm_register.html",
        context={
            "report_subtitle": period,
            "period": period,
            "rows": rows,
            "sections": [{"id": "reports", "title": _("Harm reports")}],
        },
        data={"period": params, "reports": rows},
    )


def build_fund_ledger(params: dict) -> Built:
    from benefits.models import BenefitAgreement, FundTransaction
    from benefits.money import format_amount
    from benefits.selectors import fund_balances

    start, end = period_bounds(params)
    transactions = (
        FundTransaction.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("agreement__application")
        .order_by("created_at", "id")
    )
    rows = [
        {
            "id": t.pk,
            "date": _iso(t.created_at),
            "date_display": day(t.created_at),
            "kind": str(t.get_kind_display()),
            "amount_minor": t.amount_minor,
            "currency": t.currency,
            "amount": format_amount(t.amount_minor, t.currency),
            "reason": t.reason,
            "source": f"{t.source_type} {t.source_id}".strip(),
            "project": t.agreement.application.reference if t.agreement_id else "",
            "community": t.community,
        }
        for t in transactions
    ]
    agreements = [
        {
            "project": a.application.reference,
            "state": str(a.get_state_display()),
            "kind": str(a.get_kind_display()),
            "obligations": [
                {"kind": str(o.get_kind_display()), "state": str(o.get_state_display())}
                for o in a.obligations.all()
            ],
        }
        for a in BenefitAgreement.objects.select_related("application")
        .prefetch_related("obligations")
        .order_by("id")
    ]
    balances = {c: format_amount(v, c) for c, v in fund_balances().items()}
    period = period_label(params)
    return Built(
        title=_("Benefit sharing and fund ledger"),
        template="reports/fund_ledger.html",
        context={
            "report_subtitle": period,
            "period": period,
            "rows": rows,
            "agreements": agreements,
            "balances": balances,
            "sections": [
                {"id": "balances", "title": _("Balances")},
                {"id": "ledger", "title": _("Ledger entries")},
                {"id": "agreements", "title": _("Agreements and obligations")},
            ],
        },
        data={"period": params, "balances": balances, "entries": rows, "agreements": agreements},
    )


register_builder("dossier", build_dossier)
register_builder("harm_register", build_harm_register)
register_builder("fund_ledger", build_fund_ledger)
