"""Every change to a harm report, a redress action or a suspension recommendation.

Each service runs in one transaction, locks the row it changes, checks who acts and the
current state, saves and writes the audit event. Audit payloads never carry the reporter's
contact details or the receipt code.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.accounts.roles import Role
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.notifications.services import notify
from solidarity.uploads import check_upload

from . import crypto, sla
from .models import (
    DECIDED_STATES,
    OPEN_STATES,
    HarmAttachment,
    HarmCategory,
    HarmMessage,
    HarmReport,
    HarmReportState,
    RedressAction,
    RedressKind,
    RedressState,
    Severity,
    SuspensionRecommendation,
)
from .permissions import (
    ReceiptHolder,
    can_complete_data_request,
    can_decide_suspension,
    is_harm_officer,
    is_reporter_of,
)

S = HarmReportState
MAX_ATTACHMENTS = 5


def _audit_actor(actor):
    """Who the audit trail names for a reporter's own act: never the reporter's identity.

    Auditors read the trail but must not learn who reported; only harm officers acting in
    their role are named.
    """
    if isinstance(actor, ReceiptHolder):
        return "reporter (receipt code)"
    if is_harm_officer(actor):
        return actor
    if getattr(actor, "is_authenticated", False):
        return "reporter"
    return "anonymous"


def _require_officer(actor) -> None:
    if not is_harm_officer(actor):
        raise PermissionDenied(_("Only harm officers may do this."))


def _lock(report: HarmReport) -> HarmReport:
    return HarmReport.objects.select_for_update().get(pk=report.pk)


def _require_state(report: HarmReport, allowed, verb: str) -> None:
    if report.state not in allowed:
        raise TransitionNotAllowed(
            _("A report that is “%(state)s” cannot be %(verb)s.")
            % {"state": report.get_state_display(), "verb": verb}
        )


def _officers():
    return get_user_model().objects.filter(groups__name=Role.HARM_OFFICER, is_active=True)


def _tell_reporter(report: HarmReport, subject: str, body: str) -> None:
    """Tell the reporter there is news: in-app when signed in, else by e-mail if they left one.

    The message never contains the receipt code, which the system does not know.
    """
    if report.reporter_id:
        notify(
            recipients=[report.reporter],
            kind="harm_report.update",
            context={"subject": subject, "body": body},
            url=f"/harms/{report.pk}/",
        )
    elif report.contact_ciphertext:
        # Through the outbox like every e-mail: a broker outage delays it, never loses it.
        # The address is decrypted only at send time (harms.tasks.reporter_address).
        from solidarity.notifications.services import notify_address

        notify_address(
            address_key=f"harm_reporter:{report.pk}",
            kind="harm_report.update",
            context={"subject": subject, "body": body},
        )


def _news_for_reporter(report: HarmReport) -> None:
    _tell_reporter(
        report,
        _("There is news about your harm report %(ref)s") % {"ref": report.reference},
        _(
            "The harm panel has updated your report. Sign in, or use your receipt code on the "
            "status page, to read it."
        ),
    )


def _post(report, *, author, body, internal=False, from_reporter=False) -> HarmMessage:
    return HarmMessage.objects.create(
        report=report,
        author=author if getattr(author, "is_authenticated", False) else None,
        body=body,
        internal=internal,
        from_reporter=from_reporter,
    )


def harm_report_create(
    *,
    actor,
    what_happened: str,
    occurred_when: str,
    affected: str,
    categories: list[str],
    application=None,
    dataset=None,
    project_hint: str = "",
    contact: dict | None = None,
    attachments=(),
) -> tuple[HarmReport, str | None]:
    """Record a harm report from anyone, signed in or not.

    Returns the report and, for an anonymous reporter, the receipt code: shown once, never
    stored (only its keyed hash is). Contact details are stored encrypted. Harm officers are
    notified. Attachments are checked like application attachments; a bad one refuses the
    whole report, so nothing is half-saved.
    """
    categories = list(dict.fromkeys(categories or []))
    errors = {}
    if not categories:
        errors["categories"] = [_("Choose at least one kind of harm.")]
    elif set(categories) - set(HarmCategory.values):
        errors["categories"] = [_("Unknown kind of harm.")]
    if not (what_happened or "").strip():
        errors["what_happened"] = [_("Tell us what happened.")]
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("Send at most %(n)s files.") % {"n": MAX_ATTACHMENTS}]
    checked = []
    for upload in attachments:
        try:
            checked.append((upload, check_upload(upload)))
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.messages)
    if errors:
        raise DomainError(_("The report could not be accepted."), field_errors=errors)

    signed_in = getattr(actor, "is_authenticated", False)
    code = None if signed_in else crypto.new_receipt_code()
    now = timezone.now()
    with transaction.atomic():
        report = HarmReport.objects.create(
            reporter=actor if signed_in else None,
            receipt_hash=crypto.receipt_hash(code) if code else None,
            contact_ciphertext=crypto.encrypt_contact(contact or {}),
            what_happened=what_happened.strip(),
            occurred_when=occurred_when.strip(),
            affected=affected,
            categories=categories,
            project_hint=project_hint.strip(),
            received_at=now,
            **sla.deadlines_from(now),
        )
        if application is not None:
            report.applications.add(application)
        if dataset is not None:
            report.datasets.add(dataset)
        for upload, info in checked:
            HarmAttachment.objects.create(
                report=report,
                file=upload,
                name=info.name,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
            )
        audit.record(
            actor=_audit_actor(actor),
            action="harm_report.create",
            target=report,
            to_state=report.state,
            payload={
                "categories": categories,
                "affected": affected,
                "anonymous": not signed_in,
                "applications": [application.pk] if application is not None else [],
                "datasets": [dataset.pk] if dataset is not None else [],
                "attachments": [info.sha256 for _upload, info in checked],
            },
        )
        notify(
            recipients=list(_officers()),
            kind="harm_report.received",
            context={
                "subject": _("New harm report %(ref)s") % {"ref": report.reference},
                "body": _("A new harm report is waiting to be acknowledged and triaged."),
            },
            url=f"/harms/{report.pk}/",
        )
    return report, code


def harm_report_acknowledge(*, actor, report: HarmReport, message: str) -> HarmReport:
    """Tell the reporter their report has been received and read (the first service level).

    Precondition: a harm officer; the report is open and not yet acknowledged.
    Side effects: a message to the reporter; the reporter is told.
    """
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        if report.state not in OPEN_STATES or report.acknowledged_at is not None:
            raise TransitionNotAllowed(_("This report has already been acknowledged."))
        report.acknowledged_at = timezone.now()
        report.save(update_fields=["acknowledged_at", "updated_at"])
        _post(report, author=actor, body=message)
        audit.record(actor=actor, action="harm_report.acknowledge", target=report)
        _news_for_reporter(report)
    return report


def harm_report_triage(
    *, actor, report: HarmReport, severity: str, applications=(), datasets=(), note: str = ""
) -> HarmReport:
    """Grade the severity and confirm the projects and datasets concerned.

    Precondition: a harm officer; the report is received. Side effects: counts as the
    acknowledgement if none was sent; an optional internal note; the reporter is told.
    """
    if severity not in Severity.values:
        raise DomainError(_("Choose a severity."), field_errors={"severity": [_("Required.")]})
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        _require_state(report, [S.RECEIVED], _("triaged"))
        now = timezone.now()
        report.state = S.TRIAGED
        report.severity = severity
        report.links_confirmed = True
        report.triaged_at = now
        report.acknowledged_at = report.acknowledged_at or now
        report.save(
            update_fields=[
                "state",
                "severity",
                "links_confirmed",
                "triaged_at",
                "acknowledged_at",
                "updated_at",
            ]
        )
        report.applications.set(applications)
        report.datasets.set(datasets)
        if note.strip():
            _post(report, author=actor, body=note.strip(), internal=True)
        audit.record(
            actor=actor,
            action="harm_report.triage",
            target=report,
            from_state=S.RECEIVED,
            to_state=report.state,
            payload={
                "severity": severity,
                "applications": sorted(a.pk for a in applications),
                "datasets": sorted(d.pk for d in datasets),
            },
        )
        _news_for_reporter(report)
    return report


def harm_report_investigate(*, actor, report: HarmReport, note: str = "") -> HarmReport:
    """Open the investigation. Precondition: a harm officer; the report is triaged."""
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        _require_state(report, [S.TRIAGED], _("investigated"))
        report.state = S.INVESTIGATING
        report.save(update_fields=["state", "updated_at"])
        if note.strip():
            _post(report, author=actor, body=note.strip(), internal=True)
        audit.record(
            actor=actor,
            action="harm_report.investigate",
            target=report,
            from_state=S.TRIAGED,
            to_state=report.state,
        )
        _news_for_reporter(report)
    return report


def _decide(report: HarmReport, state: str) -> None:
    report.state = state
    report.decided_at = timezone.now()


def harm_report_resolve(*, actor, report: HarmReport, outcome: str) -> HarmReport:
    """Resolve a case whose redress has been answered.

    Precondition: a harm officer; the report has redress offered and no action is still
    waiting for an answer or for delivery. Side effects: the outcome is sent to the reporter,
    who may appeal within the appeal window.
    """
    if not (outcome or "").strip():
        raise DomainError(
            _("Write the outcome for the reporter."), field_errors={"outcome": [_("Required.")]}
        )
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        _require_state(report, [S.REDRESS_OFFERED], _("resolved"))
        pending = report.redress.filter(state__in=[RedressState.OFFERED, RedressState.ACCEPTED])
        if pending.exists():
            raise TransitionNotAllowed(
                _("Some redress is still waiting for an answer or for delivery.")
            )
        _decide(report, S.RESOLVED)
        report.outcome = outcome.strip()
        report.save(update_fields=["state", "decided_at", "outcome", "updated_at"])
        _post(report, author=actor, body=report.outcome)
        audit.record(
            actor=actor,
            action="harm_report.resolve",
            target=report,
            from_state=S.REDRESS_OFFERED,
            to_state=report.state,
        )
        _news_for_reporter(report)
    return report


def harm_report_close(*, actor, report: HarmReport, reasons: str) -> HarmReport:
    """Close without action, with reasons the reporter receives.

    Precondition: a harm officer; the report is received, triaged or under investigation.
    """
    if not (reasons or "").strip():
        raise DomainError(
            _("Give the reasons for the reporter."), field_errors={"reasons": [_("Required.")]}
        )
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        before = report.state
        _require_state(report, [S.RECEIVED, S.TRIAGED, S.INVESTIGATING], _("closed"))
        _decide(report, S.CLOSED_NO_ACTION)
        report.outcome = reasons.strip()
        report.save(update_fields=["state", "decided_at", "outcome", "updated_at"])
        _post(report, author=actor, body=report.outcome)
        audit.record(
            actor=actor,
            action="harm_report.close",
            target=report,
            from_state=before,
            to_state=report.state,
        )
        _news_for_reporter(report)
    return report


def harm_report_refer(*, actor, report: HarmReport, referred_to: str, reasons: str) -> HarmReport:
    """Refer the case to another body (e.g. the data-protection authority).

    Precondition: a harm officer; the report is open and no redress is pending.
    """
    errors = {}
    if not (referred_to or "").strip():
        errors["referred_to"] = [_("Name the body the case goes to.")]
    if not (reasons or "").strip():
        errors["reasons"] = [_("Give the reasons for the reporter.")]
    if errors:
        raise DomainError(_("The referral is incomplete."), field_errors=errors)
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        before = report.state
        _require_state(report, OPEN_STATES, _("referred"))
        if report.redress.filter(state__in=[RedressState.OFFERED, RedressState.ACCEPTED]).exists():
            raise TransitionNotAllowed(
                _("Some redress is still waiting for an answer or for delivery.")
            )
        _decide(report, S.REFERRED)
        report.referred_to = referred_to.strip()[:200]
        report.outcome = reasons.strip()
        report.save(update_fields=["state", "decided_at", "referred_to", "outcome", "updated_at"])
        _post(report, author=actor, body=report.outcome)
        audit.record(
            actor=actor,
            action="harm_report.refer",
            target=report,
            from_state=before,
            to_state=report.state,
            payload={"referred_to": report.referred_to},
        )
        _news_for_reporter(report)
    return report


def harm_report_appeal(*, actor, report: HarmReport, grounds: str) -> HarmReport:
    """The reporter appeals a decision: the case reopens under investigation.

    Precondition: the reporter (signed in, or holding the receipt code); the report is
    decided, within the appeal window, and has not been appealed before. Side effects: a
    fresh decision deadline; harm officers are notified.
    """
    if not (grounds or "").strip():
        raise DomainError(_("Tell us why you appeal."), field_errors={"grounds": [_("Required.")]})
    with transaction.atomic():
        report = _lock(report)
        if not is_reporter_of(actor, report):
            raise PermissionDenied(_("Only the reporter may appeal."))
        before = report.state
        _require_state(report, DECIDED_STATES, _("appealed"))
        if not report.can_be_appealed:
            raise TransitionNotAllowed(_("The time to appeal this decision has passed."))
        now = timezone.now()
        report.state = S.INVESTIGATING
        report.appealed_at = now
        report.appeal_grounds = grounds.strip()
        report.decided_at = None
        report.decision_due = sla.add_working_days(now, settings.HARM_DECISION_WORKING_DAYS)
        report.save(
            update_fields=[
                "state",
                "appealed_at",
                "appeal_grounds",
                "decided_at",
                "decision_due",
                "updated_at",
            ]
        )
        _post(report, author=actor, body=report.appeal_grounds, from_reporter=True)
        audit.record(
            actor=_audit_actor(actor),
            action="harm_report.appeal",
            target=report,
            from_state=before,
            to_state=report.state,
        )
        notify(
            recipients=list(_officers()),
            kind="harm_report.appeal",
            context={
                "subject": _("Appeal on harm report %(ref)s") % {"ref": report.reference},
                "body": _("The reporter appealed the decision; the case is open again."),
            },
            url=f"/harms/{report.pk}/",
        )
    return report


def harm_message_post(*, actor, report: HarmReport, body: str, internal: bool = False):
    """Add a message to a report's thread.

    The reporter writes to the panel; a harm officer writes to the reporter or, with
    ``internal``, a note only officers and auditors read. A panel message to the reporter
    counts as the acknowledgement when none was sent.
    """
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a message."), field_errors={"body": [_("Required.")]})
    if len(body) > 5000:
        raise DomainError(
            _("The message is too long."), field_errors={"body": [_("At most 5000 characters.")]}
        )
    with transaction.atomic():
        report = _lock(report)
        reporter = is_reporter_of(actor, report)
        if not reporter and not is_harm_officer(actor):
            raise PermissionDenied(_("You cannot write on this report."))
        if reporter and internal:
            raise PermissionDenied(_("Reporters cannot write internal notes."))
        message = _post(report, author=actor, body=body, internal=internal, from_reporter=reporter)
        if not reporter and not internal and report.acknowledged_at is None:
            report.acknowledged_at = message.created_at
            report.save(update_fields=["acknowledged_at", "updated_at"])
        audit.record(
            actor=_audit_actor(actor),
            action="harm_report.note" if internal else "harm_report.message",
            target=report,
            payload={"from_reporter": reporter, "message": message.pk},
        )
        if reporter:
            notify(
                recipients=list(_officers()),
                kind="harm_report.message",
                context={
                    "subject": _("New message on harm report %(ref)s") % {"ref": report.reference},
                    "body": _("The reporter wrote to the panel."),
                },
                url=f"/harms/{report.pk}/",
            )
        elif not internal:
            _news_for_reporter(report)
    return message


# Redress


def redress_offer(
    *,
    actor,
    report: HarmReport,
    kind: str,
    description: str,
    amount_minor: int | None = None,
    currency: str = "",
    dataset=None,
) -> RedressAction:
    """Offer one redress action; the report moves to ``redress_offered``.

    Preconditions: a harm officer; the report is triaged, under investigation or already has
    redress offered. Financial support needs a positive amount that the fund's *available*
    money (balance minus what earlier offers reserved) covers: the amount is reserved in the
    fund ledger now, released if the offer is declined or withdrawn and paid at delivery;
    a data correction or deletion names the dataset whose custodian must carry it out.
    """
    errors = {}
    if kind not in RedressKind.values:
        errors["kind"] = [_("Choose a kind of redress.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what is offered.")]
    if kind == RedressKind.FINANCIAL:
        currency = currency or settings.HARM_REDRESS_CURRENCY
        if not amount_minor or amount_minor <= 0:
            errors["amount"] = [_("Give a positive amount.")]
    else:
        amount_minor, currency = None, ""
    if kind in (RedressKind.DATA_CORRECTION, RedressKind.DATA_DELETION) and dataset is None:
        errors["dataset"] = [_("Name the dataset whose custodian must act.")]
    if errors:
        raise DomainError(_("The offer is incomplete."), field_errors=errors)
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        before = report.state
        _require_state(
            report, [S.TRIAGED, S.INVESTIGATING, S.REDRESS_OFFERED], _("offered redress")
        )
        action = RedressAction.objects.create(
            report=report,
            kind=kind,
            description=description.strip(),
            amount_minor=amount_minor,
            currency=currency,
            dataset=dataset,
            offered_by=actor,
        )
        if kind == RedressKind.FINANCIAL:
            _reserve(actor=actor, action=action, report=report)
        if report.state != S.REDRESS_OFFERED:
            report.state = S.REDRESS_OFFERED
            report.save(update_fields=["state", "updated_at"])
            audit.record(
                actor=actor,
                action="harm_report.offer_redress",
                target=report,
                from_state=before,
                to_state=report.state,
            )
        audit.record(
            actor=actor,
            action="redress.offer",
            target=action,
            to_state=action.state,
            payload={
                "report": report.pk,
                "kind": kind,
                "amount_minor": amount_minor,
                "currency": currency,
                "dataset": dataset.pk if dataset is not None else None,
            },
        )
        _news_for_reporter(report)
    return action


REDRESS_SOURCE = "harms.redressaction"


def _reserve(*, actor, action: RedressAction, report: HarmReport) -> None:
    """Earmark the offered amount in the fund; an amount the fund cannot cover refuses the offer
    (the caller's transaction rolls back, so no offer is left without its money)."""
    from benefits.services import InsufficientFunds, fund_reserve

    try:
        fund_reserve(
            actor=actor,
            amount_minor=action.amount_minor,
            currency=action.currency,
            reason=_("Redress offered on harm report %(ref)s") % {"ref": report.reference},
            source_type=REDRESS_SOURCE,
            source_id=str(action.pk),
        )
    except InsufficientFunds as exc:
        raise DomainError(exc.message, field_errors={"amount": [exc.message]}) from None


def _release(*, actor, action: RedressAction, reason: str) -> None:
    """Give the money earmarked for a lapsed financial offer back to the fund's available sum."""
    if action.kind != RedressKind.FINANCIAL:
        return
    from benefits.services import fund_release, fund_reservation_for

    reservation = fund_reservation_for(source_type=REDRESS_SOURCE, source_id=action.pk)
    if reservation is not None:
        fund_release(actor=actor, reservation=reservation, reason=reason)


def _lock_action(action: RedressAction) -> RedressAction:
    return (
        RedressAction.objects.select_for_update(of=("self",))
        .select_related("report", "dataset")
        .get(pk=action.pk)
    )


def _respond(*, actor, action: RedressAction, accept: bool, reason: str) -> RedressAction:
    with transaction.atomic():
        action = _lock_action(action)
        report = action.report
        if not (is_reporter_of(actor, report) or is_harm_officer(actor)):
            raise PermissionDenied(_("Only the reporter, or an officer for them, may answer."))
        if action.state != RedressState.OFFERED:
            raise TransitionNotAllowed(_("This offer has already been answered."))
        action.state = RedressState.ACCEPTED if accept else RedressState.DECLINED
        action.responded_at = timezone.now()
        action.save(update_fields=["state", "responded_at"])
        if reason.strip():
            _post(
                report,
                author=actor,
                body=reason.strip(),
                from_reporter=is_reporter_of(actor, report),
            )
        if not accept:
            _release(
                actor=_audit_actor(actor),
                action=action,
                reason=_("The offer was declined."),
            )
        audit.record(
            actor=_audit_actor(actor),
            action="redress.accept" if accept else "redress.decline",
            target=action,
            from_state=RedressState.OFFERED,
            to_state=action.state,
            payload={"report": report.pk, "on_behalf": not is_reporter_of(actor, report)},
        )
        if accept and action.kind in (RedressKind.DATA_CORRECTION, RedressKind.DATA_DELETION):
            _ask_custodian(action)
        notify(
            recipients=list(_officers()),
            kind="redress.answer",
            context={
                "subject": _("Redress answered on %(ref)s") % {"ref": report.reference},
                "body": _("The offer “%(kind)s” was %(state)s.")
                % {"kind": action.get_kind_display(), "state": action.get_state_display()},
            },
            url=f"/harms/{report.pk}/",
        )
    return action


def _ask_custodian(action: RedressAction) -> None:
    from guardian.shortcuts import get_users_with_perms

    users = [
        u
        for u in get_users_with_perms(
            action.dataset, only_with_perms_in=["manage_dataset"], with_group_users=True
        )
        if u.is_active
    ]
    notify(
        recipients=users,
        kind="redress.data_request",
        context={
            "subject": _("Data request from the harm panel: %(kind)s")
            % {"kind": action.get_kind_display()},
            "body": _("The harm panel asks you to carry out, on “%(dataset)s”: %(what)s")
            % {"dataset": action.dataset.title, "what": action.description},
        },
        url=f"/harms/redress/{action.pk}/",
    )


def redress_accept(*, actor, action: RedressAction, note: str = "") -> RedressAction:
    """The reporter (or an officer recording their answer) accepts an offer.

    Side effects: a correction or deletion becomes a request to the dataset's custodians.
    """
    return _respond(actor=actor, action=action, accept=True, reason=note)


def redress_decline(*, actor, action: RedressAction, note: str = "") -> RedressAction:
    """The reporter (or an officer recording their answer) declines an offer."""
    return _respond(actor=actor, action=action, accept=False, reason=note)


def redress_deliver(*, actor, action: RedressAction, note: str = "") -> RedressAction:
    """Record that accepted redress was delivered.

    Financial support is paid here from the solidarity fund, as a real ledger outflow; if the
    fund cannot cover it, ``benefits.services.InsufficientFunds`` is raised and nothing
    changes. A correction or deletion is completed by the dataset's custodian (or recorded by
    a harm officer); everything else by a harm officer.
    """
    with transaction.atomic():
        action = _lock_action(action)
        if not can_complete_data_request(actor, action) or (
            not is_harm_officer(actor)
            and action.kind not in (RedressKind.DATA_CORRECTION, RedressKind.DATA_DELETION)
        ):
            raise PermissionDenied(_("You cannot record the delivery of this redress."))
        if action.state != RedressState.ACCEPTED:
            raise TransitionNotAllowed(_("Only accepted redress can be delivered."))
        if action.kind == RedressKind.FINANCIAL:
            from benefits.services import fund_disburse, fund_reservation_for

            # Pays the money reserved at the offer (an offer made before reservations
            # existed has none, and is paid from the available money if it suffices).
            entry = fund_disburse(
                actor=actor,
                amount_minor=action.amount_minor,
                currency=action.currency,
                reason=_("Redress for harm report %(ref)s") % {"ref": action.report.reference},
                source_type=REDRESS_SOURCE,
                source_id=str(action.pk),
                reservation=fund_reservation_for(source_type=REDRESS_SOURCE, source_id=action.pk),
            )
            action.fund_transaction_id = str(getattr(entry, "pk", "") or "")
        action.state = RedressState.DELIVERED
        action.delivered_at = timezone.now()
        action.delivered_by = actor
        action.delivery_note = (note or "").strip()
        action.save(
            update_fields=[
                "state",
                "delivered_at",
                "delivered_by",
                "delivery_note",
                "fund_transaction_id",
            ]
        )
        audit.record(
            actor=actor,
            action="redress.deliver",
            target=action,
            from_state=RedressState.ACCEPTED,
            to_state=action.state,
            payload={
                "report": action.report_id,
                "kind": action.kind,
                "amount_minor": action.amount_minor,
                "currency": action.currency,
                "fund_transaction": action.fund_transaction_id,
            },
        )
        _news_for_reporter(action.report)
    return action


def redress_withdraw(*, actor, action: RedressAction, reason: str) -> RedressAction:
    """The panel withdraws an offer that was not delivered (offered or accepted).

    Preconditions: a harm officer; the action is offered or accepted; a reason, which the
    reporter receives. Side effects: money reserved for a financial offer is released; when
    no other redress remains on the report, the report returns from ``redress_offered`` to
    ``investigating`` (so it can be closed, referred or offered redress again); otherwise it
    can be resolved or referred once the rest is answered. The reporter is told.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give the reason for the reporter."), field_errors={"reason": [_("Required.")]}
        )
    with transaction.atomic():
        report = _lock(action.report)
        action = _lock_action(action)
        _require_officer(actor)
        before = action.state
        if before not in (RedressState.OFFERED, RedressState.ACCEPTED):
            raise TransitionNotAllowed(
                _("Redress that is “%(state)s” cannot be withdrawn.")
                % {"state": action.get_state_display()}
            )
        action.state = RedressState.WITHDRAWN
        action.withdrawn_at = timezone.now()
        action.withdrawal_reason = reason
        action.save(update_fields=["state", "withdrawn_at", "withdrawal_reason"])
        _release(actor=actor, action=action, reason=reason)
        _post(report, author=actor, body=reason)
        audit.record(
            actor=actor,
            action="redress.withdraw",
            target=action,
            from_state=before,
            to_state=action.state,
            payload={"report": report.pk, "kind": action.kind},
        )
        remaining = report.redress.exclude(state=RedressState.WITHDRAWN)
        if report.state == S.REDRESS_OFFERED and not remaining.exists():
            report.state = S.INVESTIGATING
            report.save(update_fields=["state", "updated_at"])
            audit.record(
                actor=actor,
                action="harm_report.withdraw_redress",
                target=report,
                from_state=S.REDRESS_OFFERED,
                to_state=report.state,
            )
        _news_for_reporter(report)
    return action


# Suspension


def harm_report_recommend_suspension(
    *, actor, report: HarmReport, application, reason: str
) -> SuspensionRecommendation:
    """Recommend that the chair suspend a project linked to this report.

    Precondition: a harm officer; the project is linked to the report and active; no open
    recommendation for it on this report. Side effect: the chairs are notified.
    """
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), field_errors={"reason": [_("Required.")]})
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        if not report.applications.filter(pk=application.pk).exists():
            raise DomainError(_("This project is not linked to the report."))
        if application.state != "active":
            raise TransitionNotAllowed(_("Only an active project can be suspended."))
        if SuspensionRecommendation.objects.filter(
            report=report, application=application, state="open"
        ).exists():
            raise TransitionNotAllowed(_("This suspension is already recommended."))
        rec = SuspensionRecommendation.objects.create(
            report=report, application=application, reason=reason.strip(), recommended_by=actor
        )
        audit.record(
            actor=actor,
            action="harm_report.recommend_suspension",
            target=report,
            payload={"application": application.pk, "recommendation": rec.pk},
        )
        chairs = get_user_model().objects.filter(groups__name=Role.CHAIR, is_active=True)
        notify(
            recipients=list(chairs),
            kind="harm_report.suspension",
            context={
                "subject": _("Suspension recommended: %(ref)s")
                % {"ref": application.reference or application.title},
                "body": _("The harm panel recommends suspending this project."),
            },
            url="/harms/recommendations/",
        )
    return rec


def _lock_recommendation(rec):
    return (
        SuspensionRecommendation.objects.select_for_update(of=("self",))
        .select_related("application", "report")
        .get(pk=rec.pk)
    )


def suspension_recommendation_execute(
    *, actor, recommendation: SuspensionRecommendation, reason: str = ""
) -> SuspensionRecommendation:
    """The chair suspends the project through the applications service.

    Precondition: the chair; the recommendation is open. The project's own rules (only an
    active project may be suspended) are checked by ``application_suspend``.
    """
    from applications.services import application_suspend

    with transaction.atomic():
        rec = _lock_recommendation(recommendation)
        if not can_decide_suspension(actor):
            raise PermissionDenied(_("Only the chair may suspend a project."))
        if rec.state != SuspensionRecommendation.State.OPEN:
            raise TransitionNotAllowed(_("This recommendation has already been decided."))
        application_suspend(
            actor=actor,
            application=rec.application,
            reason=(reason or "").strip() or rec.reason,
        )
        rec.state = SuspensionRecommendation.State.EXECUTED
        rec.decided_by = actor
        rec.decided_at = timezone.now()
        rec.decision_reason = (reason or "").strip()
        rec.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit.record(
            actor=actor,
            action="harm_report.suspension_executed",
            target=rec.report,
            payload={"application": rec.application_id, "recommendation": rec.pk},
        )
    return rec


def suspension_recommendation_dismiss(
    *, actor, recommendation: SuspensionRecommendation, reason: str
) -> SuspensionRecommendation:
    """The chair declines to suspend, with a reason the panel reads."""
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), field_errors={"reason": [_("Required.")]})
    with transaction.atomic():
        rec = _lock_recommendation(recommendation)
        if not can_decide_suspension(actor):
            raise PermissionDenied(_("Only the chair may decide on a suspension."))
        if rec.state != SuspensionRecommendation.State.OPEN:
            raise TransitionNotAllowed(_("This recommendation has already been decided."))
        rec.state = SuspensionRecommendation.State.DISMISSED
        rec.decided_by = actor
        rec.decided_at = timezone.now()
        rec.decision_reason = reason.strip()
        rec.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit.record(
            actor=actor,
            action="harm_report.suspension_dismissed",
            target=rec.report,
            payload={"application": rec.application_id, "recommendation": rec.pk},
        )
    return rec


def harm_reports_remind_overdue() -> int:
    """Remind harm officers, at most once a day per report, of reports past a deadline."""
    from datetime import timedelta

    from .selectors import harm_report_queue

    now = timezone.now()
    overdue = [
        r
        for r in harm_report_queue(state="", overdue_only=True)
        if r.last_reminded_at is None or r.last_reminded_at < now - timedelta(hours=23)
    ]
    if not overdue:
        return 0
    with transaction.atomic():
        HarmReport.objects.filter(pk__in=[r.pk for r in overdue]).update(last_reminded_at=now)
        notify(
            recipients=list(_officers()),
            kind="harm_report.overdue",
            context={
                "subject": _("%(n)s harm reports are overdue") % {"n": len(overdue)},
                "body": ", ".join(r.reference for r in overdue[:50]),
            },
            url="/harms/queue/?overdue=1",
        )
    return len(overdue)


def redress_payment_details_give(
    *, actor, action: RedressAction, account_holder: str, iban: str, bic: str = "", note: str = ""
) -> RedressAction:
    """The reporter says where accepted financial support is to be paid.

    Preconditions: the actor is the reporter (signed in, or holding the receipt code); the
    action is financial support, accepted and not yet paid. The details are encrypted like
    contact details and only harm officers read them; giving them again replaces them.
    Side effects: audit ``redress.payment_details`` (never the details themselves); the harm
    officers are told the payment can be made.
    """
    account_holder, iban = (account_holder or "").strip(), (iban or "").strip()
    if not account_holder or not iban:
        raise DomainError(
            _("Give the account holder and the IBAN."),
            field_errors={
                k: [_("Required.")]
                for k, v in (("account_holder", account_holder), ("iban", iban))
                if not v
            },
        )
    with transaction.atomic():
        action = _lock_action(action)
        report = action.report
        if not is_reporter_of(actor, report):
            raise PermissionDenied(_("Only the reporter gives payment details."))
        if action.kind != RedressKind.FINANCIAL:
            raise TransitionNotAllowed(_("Only financial support is paid to a bank account."))
        if action.state != RedressState.ACCEPTED:
            raise TransitionNotAllowed(
                _(
                    "Payment details can be given once the support is accepted and "
                    "before it is paid."
                )
            )
        replaced = bool(action.payment_details_ciphertext)
        action.payment_details_ciphertext = crypto.encrypt_contact(
            {"account_holder": account_holder, "iban": iban, "bic": bic or "", "note": note or ""}
        )
        action.payment_details_at = timezone.now()
        action.save(update_fields=["payment_details_ciphertext", "payment_details_at"])
        audit.record(
            actor=_audit_actor(actor),
            action="redress.payment_details",
            target=action,
            payload={"report": report.pk, "replaced": replaced},
        )
        notify(
            recipients=list(_officers()),
            kind="redress.payment_details",
            context={
                "subject": _("Payment details received: %(ref)s") % {"ref": report.reference},
                "body": _("The reporter gave the bank details for the accepted %(kind)s.")
                % {"kind": action.get_kind_display().lower()},
            },
            url=f"/harms/{report.pk}/",
        )
    return action
