"""Obligations: adding them to a draft, reporting, verifying, rejecting, waiving, overdue."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError, TransitionNotAllowed
from solidarity.transitions import transition_run
from solidarity.uploads import check_upload

from ..agreement_templates import add_months
from ..models import (
    RECURRENCE_MONTHS,
    BeneficiaryKind,
    BenefitAgreement,
    Obligation,
    ObligationKind,
    ObligationReport,
    ObligationState,
    Recurrence,
    ReportState,
)
from ..money import exponent, format_amount, share_of
from ..rules import AGREEMENT, OBLIGATION, OVERDUE_WATCHED, owes_nothing_q
from ._common import (
    agreement_url,
    applicant_side,
    lock_agreement,
    lock_obligation,
    officers,
    tell,
)
from .fund import fund_receive
from .lifecycle import agreement_cure, agreement_flag_breach, agreement_fulfil_if_complete

OBLIGATION_FIELDS = [
    "kind",
    "description",
    "beneficiary",
    "community",
    "share_basis_points",
    "amount_minor",
    "currency",
    "recurrence",
    "due_date",
    "ends_on",
    "evidence_expected",
]


def _validate(fields: dict) -> None:
    errors: dict[str, list[str]] = {}
    kind = fields.get("kind")
    if kind not in ObligationKind.values:
        errors["kind"] = [_("Choose a kind of obligation.")]
    if not (fields.get("description") or "").strip():
        errors["description"] = [_("Say what is owed.")]
    if fields.get("beneficiary") not in BeneficiaryKind.values:
        errors["beneficiary"] = [_("Choose who benefits.")]
    if (
        fields.get("beneficiary") == BeneficiaryKind.COMMUNITY
        and not (fields.get("community") or "").strip()
    ):
        errors["community"] = [_("Name the community that benefits.")]
    if kind == ObligationKind.REVENUE_SHARE and not fields.get("share_basis_points"):
        errors["share_percent"] = [_("A revenue share needs its percentage.")]
    if kind == ObligationKind.FIXED_PAYMENT and not fields.get("amount_minor"):
        errors["amount"] = [_("A fixed payment needs its amount.")]
    if fields.get("recurrence", Recurrence.ONCE) not in Recurrence.values:
        errors["recurrence"] = [_("Choose how often it is due.")]
    if not isinstance(fields.get("due_date"), date):
        errors["due_date"] = [_("Give the due date.")]
    ends_on = fields.get("ends_on")
    if ends_on and isinstance(fields.get("due_date"), date) and ends_on < fields["due_date"]:
        errors["ends_on"] = [_("The last period cannot end before the first is due.")]
    try:
        exponent(fields.get("currency") or "EUR")
    except ValidationError as exc:
        errors["currency"] = exc.messages
    if errors:
        raise DomainError(_("Some details of the obligation are missing."), field_errors=errors)


def obligation_create(*, agreement, **fields) -> Obligation:
    """Make an obligation of an agreement being drafted (the caller checked the move)."""
    fields = {k: v for k, v in fields.items() if k in OBLIGATION_FIELDS}
    fields.setdefault("currency", "EUR")
    fields.setdefault("recurrence", Recurrence.ONCE)
    _validate(fields)
    for text_field in ("community", "evidence_expected", "description"):
        fields[text_field] = (fields.get(text_field) or "").strip()
    if fields["kind"] != ObligationKind.REVENUE_SHARE:
        fields["share_basis_points"] = None
    if fields["kind"] != ObligationKind.FIXED_PAYMENT:
        fields["amount_minor"] = None
    return Obligation.objects.create(agreement=agreement, **fields)


def obligation_add(*, actor, agreement, **fields) -> Obligation:
    """Add an obligation to a draft agreement.

    Fields: kind, description, beneficiary (community needs its name), share_basis_points
    (revenue share), amount_minor + currency (fixed payment), recurrence, due_date, ends_on,
    evidence_expected. Preconditions: a benefit officer; the agreement is a draft (reopen a
    proposed or signed one first). Side effects: an ``obligation.add`` audit event.
    """
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        if not AGREEMENT.in_source_state("edit", agreement) and AGREEMENT.may_actor(
            "edit", actor, agreement
        ):
            raise TransitionNotAllowed(
                _("Obligations can only be changed while the agreement is a draft.")
            )
        AGREEMENT.check("edit", actor=actor, obj=agreement)
        obligation = obligation_create(agreement=agreement, **fields)
        audit.record(
            actor=actor,
            action="obligation.add",
            target=obligation,
            to_state=obligation.state,
            payload={"agreement": agreement.pk, "kind": obligation.kind},
        )
    return obligation


def obligation_remove(*, actor, obligation) -> None:
    """Remove an obligation from a draft agreement. Side effects: ``obligation.remove`` event."""
    with transaction.atomic():
        obligation = lock_obligation(obligation)
        move = OBLIGATION.check("remove", actor=actor, obj=obligation)
        audit.record(
            actor=actor,
            action=move.action,
            target=obligation,
            payload={"agreement": obligation.agreement_id, "kind": obligation.kind},
        )
        obligation.delete()


def expected_amount(obligation, revenue_minor: int | None) -> int | None:
    """What a report should pay: what a short payment left open on the current period, else
    the fixed amount, or the agreed share of the reported revenue."""
    if obligation.is_monetary and obligation.shortfall_minor:
        return obligation.shortfall_minor
    if obligation.kind == ObligationKind.FIXED_PAYMENT:
        return obligation.amount_minor
    if obligation.kind == ObligationKind.REVENUE_SHARE and revenue_minor is not None:
        return share_of(revenue_minor, obligation.share_basis_points or 0)
    return None


def obligation_report(
    *,
    actor,
    obligation,
    text: str = "",
    amount_minor: int | None = None,
    currency: str | None = None,
    revenue_minor: int | None = None,
    evidence_link: str = "",
    evidence_file=None,
) -> ObligationReport:
    """The applicant reports how the current period of an obligation was met.

    Preconditions: the actor is the application's applicant; the agreement is signed, in
    force or in breach; the obligation is pending or overdue; evidence (text, link or file)
    is given; a monetary obligation states the amount paid (and a revenue share the revenue,
    unless the report pays what a short payment left open), in the obligation's currency.
    The amount due is computed and kept on the report (see ``expected_amount``). Side
    effects: the obligation becomes reported; officers are told; an ``obligation.report``
    audit event.
    """
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        obligation = lock_obligation(obligation)
        agreement = obligation.agreement
        OBLIGATION.check("report", actor=actor, obj=obligation)
        currency = currency or obligation.currency
        if obligation.is_monetary:
            if currency != obligation.currency:
                errors["currency"] = [
                    _("This obligation is paid in %(c)s.") % {"c": obligation.currency}
                ]
            if amount_minor is None:
                errors["amount"] = [_("Give the amount paid.")]
            if (
                obligation.kind == ObligationKind.REVENUE_SHARE
                and revenue_minor is None
                and not obligation.shortfall_minor
            ):
                errors["revenue"] = [_("Give the revenue of the period.")]
        for name, value in (("amount", amount_minor), ("revenue", revenue_minor)):
            if value is not None and (not isinstance(value, int) or value < 0):
                errors[name] = [_("Amounts cannot be negative.")]
        checked = None
        if evidence_file:
            try:
                checked = check_upload(evidence_file)
            except ValidationError as exc:
                errors["evidence_file"] = exc.messages
        if not (text or "").strip() and not evidence_link and not evidence_file:
            errors["text"] = [_("Describe what was done, or give a link or a file as evidence.")]
        if errors:
            raise DomainError(_("The report is incomplete."), field_errors=errors)
        report = ObligationReport(
            obligation=obligation,
            period_due=obligation.due_date,
            amount_minor=amount_minor,
            revenue_minor=revenue_minor,
            amount_due_minor=expected_amount(obligation, revenue_minor),
            currency=currency,
            text=(text or "").strip(),
            evidence_link=evidence_link or "",
            reported_by=actor,
        )
        if checked is not None:
            report.evidence_name = checked.name
            report.evidence_content_type = checked.content_type
            report.sha256 = checked.sha256
            report.evidence_file.save(checked.sha256, evidence_file, save=False)
        report.save()
        transition_run(
            OBLIGATION,
            "report",
            actor=actor,
            obj=obligation,
            lock=False,
            payload={
                "report": report.pk,
                "period_due": report.period_due,
                "amount_minor": amount_minor,
                "revenue_minor": revenue_minor,
                "amount_due_minor": report.amount_due_minor,
                "currency": currency,
                "sha256": report.sha256,
            },
        )
        tell(
            officers(),
            subject=lambda: _("A benefit obligation was reported on"),
            body=lambda: (
                _("%(who)s reported on “%(ob)s” for %(app)s.")
                % {"who": actor, "ob": obligation.get_kind_display(), "app": agreement.application}
            ),
            url=agreement_url(agreement),
        )
    return report


def _current_report(obligation) -> ObligationReport:
    report = (
        obligation.reports.select_for_update()
        .filter(state=ReportState.SUBMITTED)
        .order_by("-reported_at", "-id")
        .first()
    )
    if report is None:  # pragma: no cover - a reported obligation always has one
        raise TransitionNotAllowed(_("There is no report waiting to be verified."))
    return report


def obligation_verify(*, actor, obligation) -> Obligation:
    """The benefit officer accepts the report on the current period.

    Preconditions: a benefit officer; the obligation is reported. Side effects: a payment in
    the report enters the solidarity fund (``fund.receive``). A payment short of the amount
    due (the fixed amount, or the agreed share of the reported revenue) is booked as paid,
    but the period is not met: the shortfall stays open on the obligation, which is pending
    again (overdue once its due date has passed), with an ``obligation.short_payment`` event.
    Otherwise a recurring obligation moves on to its next period (pending again) until the
    project ends, or it is verified; an agreement in breach with nothing overdue returns
    into force, and one whose obligations are all met is fulfilled; an ``obligation.verify``
    audit event. The applicant is told either way.
    """
    with transaction.atomic():
        obligation = lock_obligation(obligation)
        OBLIGATION.check("verify", actor=actor, obj=obligation)
        agreement = lock_agreement(obligation.agreement)
        report = _current_report(obligation)
        payment = None
        if obligation.is_monetary and report.amount_minor:
            payment = fund_receive(
                actor=actor,
                amount_minor=report.amount_minor,
                currency=report.currency,
                reason=_("%(kind)s, %(app)s, period due %(due)s")
                % {
                    "kind": obligation.get_kind_display(),
                    "app": agreement.application.reference or agreement.application_id,
                    "due": report.period_due.isoformat(),
                },
                source_type="obligation_report",
                source_id=str(report.pk),
                agreement=agreement,
                community=obligation.community
                if obligation.beneficiary == BeneficiaryKind.COMMUNITY
                else "",
            )
        due = report.amount_due_minor
        if due is None and obligation.is_monetary:  # reported before amounts due were kept
            due = expected_amount(obligation, report.revenue_minor)
        shortfall = max((due or 0) - (report.amount_minor or 0), 0) if obligation.is_monetary else 0
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        if shortfall:
            return _verify_short(
                actor=actor,
                obligation=obligation,
                report=report,
                due=due,
                shortfall=shortfall,
                payment=payment,
            )
        report.state = ReportState.VERIFIED
        report.save(update_fields=["state", "reviewed_by", "reviewed_at"])
        next_due = _next_due(obligation)
        changes = {
            "periods_verified": obligation.periods_verified + 1,
            "shortfall_minor": 0,
            "overdue_since": None,
            "state_reason": "",
        }
        if next_due is not None:
            changes["due_date"] = next_due
        obligation = transition_run(
            OBLIGATION,
            "verify" if next_due is None else "verify-period",
            actor=actor,
            obj=obligation,
            lock=False,
            changes=changes,
            payload={
                "report": report.pk,
                "fund_transaction": payment.pk if payment else None,
                "next_due": next_due,
            },
        )
        agreement_cure(actor=actor, agreement=agreement)
        agreement_fulfil_if_complete(actor=actor, agreement=agreement)
        tell(
            applicant_side(agreement),
            subject=lambda: _("Your report was verified"),
            body=lambda: (
                _("The report on “%(ob)s” was verified%(paid)s.")
                % {
                    "ob": obligation.get_kind_display(),
                    "paid": (
                        _("; %(amount)s entered the solidarity fund")
                        % {"amount": format_amount(report.amount_minor, report.currency)}
                        if payment
                        else ""
                    ),
                }
            ),
            url=agreement_url(agreement),
        )
    return obligation


def _verify_short(*, actor, obligation, report, due: int, shortfall: int, payment) -> Obligation:
    """A verified report that paid less than was due: the money is booked, the rest stays open.

    Runs inside ``obligation_verify``'s transaction, with the obligation and agreement locked.
    """
    currency = obligation.currency
    report.state = ReportState.SHORT
    report.shortfall_minor = shortfall
    report.save(update_fields=["state", "shortfall_minor", "reviewed_by", "reviewed_at"])
    today = timezone.localdate()
    late = obligation.due_date < today
    state_reason = _(
        "Paid %(paid)s of %(due)s due for the period due %(period)s; %(short)s is still owed."
    ) % {
        "paid": format_amount(report.amount_minor or 0, currency),
        "due": format_amount(due, currency),
        "period": report.period_due.isoformat(),
        "short": format_amount(shortfall, currency),
    }
    obligation = transition_run(
        OBLIGATION,
        "verify-short-overdue" if late else "verify-short",
        actor=actor,
        obj=obligation,
        lock=False,
        changes={
            "shortfall_minor": shortfall,
            "state_reason": state_reason,
            **({"overdue_since": obligation.overdue_since or today} if late else {}),
        },
        payload={
            "report": report.pk,
            "period_due": report.period_due,
            "revenue_minor": report.revenue_minor,
            "share_basis_points": obligation.share_basis_points,
            "amount_due_minor": due,
            "amount_paid_minor": report.amount_minor or 0,
            "shortfall_minor": shortfall,
            "currency": currency,
            "fund_transaction": payment.pk if payment else None,
        },
    )
    agreement = obligation.agreement
    tell(
        [*applicant_side(agreement), *officers()],
        subject=lambda: _("A benefit payment was short of the amount due"),
        body=lambda: state_reason,
        url=agreement_url(agreement),
    )
    return obligation


def _next_due(obligation) -> date | None:
    months = RECURRENCE_MONTHS[Recurrence(obligation.recurrence)]
    if not months:
        return None
    end = obligation.ends_on or obligation.agreement.application.end_date
    if end is None or obligation.due_date >= end:
        return None
    # The last period is cut short at the end of the project and is due on that day.
    return min(add_months(obligation.due_date, months), end)


def obligation_reject(*, actor, obligation, reason: str) -> Obligation:
    """The benefit officer sends a report back with a reason; the applicant reports again.

    Preconditions: a benefit officer; the obligation is reported; a reason. Side effects: the
    obligation is pending again (overdue if its due date has passed); the applicant is told;
    an ``obligation.reject`` audit event.
    """
    if not (reason or "").strip():
        raise DomainError(
            _("Say why the report is rejected."), field_errors={"reason": [_("Give a reason.")]}
        )
    with transaction.atomic():
        obligation = lock_obligation(obligation)
        OBLIGATION.check("reject", actor=actor, obj=obligation)
        report = _current_report(obligation)
        report.state = ReportState.REJECTED
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.review_reason = reason.strip()
        report.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_reason"])
        today = timezone.localdate()
        late = obligation.due_date < today
        obligation = transition_run(
            OBLIGATION,
            "reject-overdue" if late else "reject",
            actor=actor,
            obj=obligation,
            lock=False,
            text=reason,
            changes={"overdue_since": obligation.overdue_since or today} if late else None,
            payload={"report": report.pk},
        )
        tell(
            applicant_side(obligation.agreement),
            subject=lambda: _("Your report was not accepted"),
            body=lambda: (
                _("The report on “%(ob)s” was not accepted: %(reason)s")
                % {"ob": obligation.get_kind_display(), "reason": reason.strip()}
            ),
            url=agreement_url(obligation.agreement),
        )
    return obligation


def obligation_waive(*, actor, obligation, reason: str) -> Obligation:
    """The benefit officer releases the project from an obligation, with a reason.

    Preconditions: a benefit officer; the obligation is pending, overdue or reported (a
    waiting report is then closed as rejected); a reason. Side effects: a shortfall left by a
    short payment is forgiven (its amount is in the audit payload); an agreement in breach
    may return into force, or be fulfilled; an ``obligation.waive`` audit event.
    """
    if not (reason or "").strip():
        raise DomainError(
            _("Say why the obligation is waived."), field_errors={"reason": [_("Give a reason.")]}
        )
    with transaction.atomic():
        obligation = lock_obligation(obligation)
        OBLIGATION.check("waive", actor=actor, obj=obligation)
        agreement = lock_agreement(obligation.agreement)
        obligation = _waive(actor=actor, obligation=obligation, move="waive", reason=reason)
        agreement_cure(actor=actor, agreement=agreement)
        agreement_fulfil_if_complete(actor=actor, agreement=agreement)
    return obligation


def _waive(*, actor, obligation, move: str, reason: str, payload=None) -> Obligation:
    """Release the (locked) obligation: a waiting report is closed as rejected, a shortfall is
    forgiven (its amount is in the audit payload)."""
    obligation.reports.filter(state=ReportState.SUBMITTED).update(
        state=ReportState.REJECTED,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_reason=reason.strip(),
    )
    return transition_run(
        OBLIGATION,
        move,
        actor=actor,
        obj=obligation,
        lock=False,
        text=reason,
        changes={"overdue_since": None, "shortfall_minor": 0},
        payload={"shortfall_forgiven_minor": obligation.shortfall_minor, **(payload or {})},
    )


def obligations_close_with_agreement(*, actor, agreement, reason: str) -> list[int]:
    """Waive the open obligations of an agreement being terminated (the caller holds the
    agreement's lock and runs the termination). Returns the ids waived."""
    closing = OBLIGATION["waive-with-agreement"]
    waived = []
    for obligation in (
        Obligation.objects.select_for_update(of=("self",))
        .select_related("agreement__application")
        .filter(agreement=agreement, state__in=closing.sources)
        .order_by("id")
    ):
        _waive(
            actor=actor,
            obligation=obligation,
            move=closing.name,
            reason=reason,
            payload={"agreement_terminated": agreement.pk},
        )
        waived.append(obligation.pk)
    return waived


def obligations_mark_overdue(*, today: date | None = None) -> list[int]:
    """Mark pending obligations past their due date overdue and tell both sides (periodic).

    Idempotent: only pending obligations change, so a second run in the same day (or a
    retried task) finds nothing to do and sends nothing. Returns the ids marked.
    """
    today = today or timezone.localdate()
    ids = list(
        Obligation.objects.filter(
            state__in=OBLIGATION.sources_of("overdue"),
            due_date__lt=today,
            agreement__state__in=OVERDUE_WATCHED,
        )
        .exclude(owes_nothing_q())
        .values_list("pk", flat=True)
    )
    marked = []
    for pk in ids:
        with transaction.atomic():
            obligation = lock_obligation(Obligation(pk=pk))
            if (
                not OBLIGATION.in_source_state("overdue", obligation)
                or obligation.due_date >= today
            ):
                continue
            obligation = transition_run(
                OBLIGATION,
                "overdue",
                actor="system",
                obj=obligation,
                lock=False,
                changes={"overdue_since": today},
                payload={"due_date": obligation.due_date},
            )
            agreement = obligation.agreement
            tell(
                [*applicant_side(agreement), *officers()],
                subject=lambda: _("A benefit obligation is overdue"),
                body=lambda ob=obligation, ag=agreement: (
                    _("“%(ob)s” for %(app)s was due on %(due)s and has not been reported.")
                    % {
                        "ob": ob.get_kind_display(),
                        "app": ag.application,
                        "due": ob.due_date.isoformat(),
                    }
                ),
                url=agreement_url(agreement),
            )
            marked.append(pk)
    return marked


def agreements_flag_breaches(*, today: date | None = None) -> list[int]:
    """Flag in-force agreements with an obligation overdue beyond their grace period (periodic).

    Idempotent: an agreement already in breach is left alone. Returns the ids flagged.
    """
    today = today or timezone.localdate()
    candidates = (
        Obligation.objects.filter(
            state=ObligationState.OVERDUE,
            overdue_since__isnull=False,
            agreement__state__in=AGREEMENT.sources_of("breach"),
        )
        .select_related("agreement")
        .order_by("agreement_id", "overdue_since")
    )
    flagged = []
    for obligation in candidates:
        agreement = obligation.agreement
        if agreement.pk in flagged:
            continue
        if obligation.overdue_since + timedelta(days=agreement.grace_days) > today:
            continue
        try:
            agreement_flag_breach(
                actor=None,
                agreement=BenefitAgreement(pk=agreement.pk),
                reason=_("“%(ob)s” has been overdue since %(since)s (grace period %(days)s days).")
                % {
                    "ob": obligation.get_kind_display(),
                    "since": obligation.overdue_since.isoformat(),
                    "days": agreement.grace_days,
                },
            )
        except TransitionNotAllowed:  # changed meanwhile (e.g. terminated): nothing to flag
            continue
        flagged.append(agreement.pk)
    return flagged
