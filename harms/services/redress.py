"""Redress: offers, the reporter's answers, delivery (paid from the solidarity fund for
financial support), withdrawal and payment details."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError
from solidarity.notifications.services import notify
from solidarity.transitions import clean_text

from .. import crypto, rules
from ..models import (
    HarmReport,
    RedressAction,
    RedressKind,
)
from ..permissions import (
    is_reporter_of,
)
from ._common import (
    _audit_actor,
    _lock,
    _news_for_reporter,
    _officers,
    _post,
)


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
        rules.check(rules.HARM_REPORT, "offer-redress", actor=actor, obj=report)
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
        if report.state != rules.HARM_REPORT["offer-redress"].target:
            report = rules.run(
                rules.HARM_REPORT, "offer-redress", actor=actor, obj=report, lock=False
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
    from benefits.services.fund import InsufficientFunds, fund_reserve

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
    from benefits.services.fund import fund_release_promised

    fund_release_promised(
        actor=actor, source_type=REDRESS_SOURCE, source_id=action.pk, reason=reason
    )


def _respond(*, actor, action: RedressAction, accept: bool, reason: str) -> RedressAction:
    move = "accept" if accept else "decline"
    with transaction.atomic():
        action = rules.run(
            rules.REDRESS,
            move,
            actor=actor,
            obj=action,
            changes={"responded_at": timezone.now()},
            payload={
                "report": action.report_id,
                "on_behalf": not is_reporter_of(actor, action.report),
            },
        )
        report = action.report
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
        if accept and action.kind in (RedressKind.DATA_CORRECTION, RedressKind.DATA_DELETION):
            _ask_custodian(action)
        notify(
            recipients=list(_officers()),
            kind="redress.answer",
            context=lambda: {
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
        context=lambda: {
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
    """Record that accepted redress was delivered (``rules.REDRESS["deliver"]``).

    Financial support is paid here from the solidarity fund, as a real ledger outflow that
    consumes the money reserved at the offer; if the fund cannot cover it,
    ``benefits.services.InsufficientFunds`` is raised and nothing changes. A correction or
    deletion is completed by the dataset's custodian (or recorded by a harm officer);
    everything else by a harm officer.
    """
    with transaction.atomic():
        action = rules.REDRESS.lock(action)
        rules.check(rules.REDRESS, "deliver", actor=actor, obj=action)
        transaction_id = ""
        if action.kind == RedressKind.FINANCIAL:
            from benefits.services.fund import fund_pay_promised

            entry = fund_pay_promised(
                actor=actor,
                amount_minor=action.amount_minor,
                currency=action.currency,
                reason=_("Redress for harm report %(ref)s") % {"ref": action.report.reference},
                source_type=REDRESS_SOURCE,
                source_id=action.pk,
            )
            transaction_id = str(getattr(entry, "pk", "") or "")
        action = rules.run(
            rules.REDRESS,
            "deliver",
            actor=actor,
            obj=action,
            lock=False,
            changes={
                "delivered_at": timezone.now(),
                "delivered_by": actor,
                "delivery_note": (note or "").strip(),
                "fund_transaction_id": transaction_id,
            },
            payload={
                "report": action.report_id,
                "kind": action.kind,
                "amount_minor": action.amount_minor,
                "currency": action.currency,
                "fund_transaction": transaction_id,
            },
        )
        _news_for_reporter(action.report)
    return action


def redress_withdraw(*, actor, action: RedressAction, reason: str) -> RedressAction:
    """The panel withdraws an offer that was not delivered (``rules.REDRESS["withdraw"]``).

    Preconditions: a harm officer; the action is offered or accepted; a reason, which the
    reporter receives. Side effects: money reserved for a financial offer is released; when
    no other redress remains on the report, the report returns from ``redress_offered`` to
    ``investigating`` (``rules.HARM_REPORT["reopen"]``, so it can be closed, referred or
    offered redress again); otherwise it can be resolved or referred once the rest is
    answered. The reporter is told.
    """
    with transaction.atomic():
        report = _lock(action.report)
        action = rules.REDRESS.lock(action)
        rules.check(rules.REDRESS, "withdraw", actor=actor, obj=action)
        reason = clean_text(rules.REDRESS["withdraw"], reason)
        _release(actor=actor, action=action, reason=reason)
        action = rules.run(
            rules.REDRESS,
            "withdraw",
            actor=actor,
            obj=action,
            lock=False,
            text=reason,
            changes={"withdrawn_at": timezone.now()},
            payload={"report": report.pk, "kind": action.kind},
        )
        _post(report, author=actor, body=action.withdrawal_reason)
        if rules.allows(rules.HARM_REPORT, "reopen", actor, report):
            report = rules.run(rules.HARM_REPORT, "reopen", actor=actor, obj=report, lock=False)
        _news_for_reporter(report)
    return action


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
        action = rules.REDRESS.lock(action)
        report = action.report
        rules.check(
            rules.REDRESS,
            "payment-details",
            actor=actor,
            obj=action,
            state_message=_(
                "Payment details can be given once the support is accepted and before it is paid."
            ),
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
            context=lambda: {
                "subject": _("Payment details received: %(ref)s") % {"ref": report.reference},
                "body": _("The reporter gave the bank details for the accepted %(kind)s.")
                % {"kind": action.get_kind_display().lower()},
            },
            url=f"/harms/{report.pk}/",
        )
    return action
