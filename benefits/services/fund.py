"""The solidarity fund: receiving, disbursing and correcting money, never below zero."""

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from ..models import (
    FundAccount,
    FundEntry,
    FundReservation,
    FundTransaction,
    LedgerAccount,
    ReservationState,
    TransactionKind,
)
from ..money import exponent, format_amount
from ..permissions import can_adjust_fund, can_disburse


class InsufficientFunds(DomainError):
    """A withdrawal would take the fund's balance in that currency below zero."""

    code = "insufficient_funds"


def _lock_account(currency: str) -> FundAccount:
    """Lock the currency's account row; every movement in that currency waits its turn."""
    try:
        with transaction.atomic():
            FundAccount.objects.get_or_create(currency=currency)
    except IntegrityError:  # created concurrently by another transaction; it exists now
        pass
    return FundAccount.objects.select_for_update().get(currency=currency)


def _balance_locked(currency: str) -> int:
    total = FundEntry.objects.filter(account=LedgerAccount.FUND, currency=currency).aggregate(
        total=Sum("amount_minor")
    )["total"]
    return int(total or 0)


def _reserved_locked(currency: str, *, excluding=None) -> int:
    qs = FundReservation.objects.filter(currency=currency, state=ReservationState.OPEN)
    if excluding is not None:
        qs = qs.exclude(pk=excluding.pk)
    return int(qs.aggregate(total=Sum("amount_minor"))["total"] or 0)


def _short(*, amount_minor: int, currency: str, balance: int, reserved: int, verb: str):
    """The error for a movement the available money cannot cover, with the figures."""
    return InsufficientFunds(
        _(
            "The solidarity fund holds %(balance)s, of which %(reserved)s is reserved for "
            "offers already made, so %(available)s is available; it cannot %(verb)s %(amount)s."
        )
        % {
            "balance": format_amount(balance, currency),
            "reserved": format_amount(reserved, currency),
            "available": format_amount(max(balance - reserved, 0), currency),
            "amount": format_amount(amount_minor, currency),
            "verb": verb,
        }
    )


def _check_amount(amount_minor, currency: str) -> None:
    exponent(currency)  # raises for a currency the fund does not accept
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise DomainError(_("Amounts are whole numbers of minor units (cents), never fractions."))


def _post(
    *,
    actor,
    kind: str,
    currency: str,
    fund_change: int,
    counter_account: str,
    reason: str,
    source_type: str = "",
    source_id: str = "",
    agreement=None,
    community: str = "",
    corrects=None,
) -> FundTransaction:
    """Write one balanced transaction: the fund leg and its counter leg sum to zero."""
    tx = FundTransaction(
        kind=kind,
        currency=currency,
        amount_minor=fund_change,
        reason=reason,
        source_type=source_type,
        source_id=str(source_id or ""),
        agreement=agreement,
        community=community,
        corrects=corrects,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )
    tx.save()
    FundEntry.objects.bulk_create(
        [
            FundEntry(
                transaction=tx,
                account=LedgerAccount.FUND,
                currency=currency,
                amount_minor=fund_change,
            ),
            FundEntry(
                transaction=tx,
                account=counter_account,
                currency=currency,
                amount_minor=-fund_change,
            ),
        ]
    )
    return tx


def fund_receive(
    *,
    actor,
    amount_minor: int,
    currency: str,
    reason: str,
    source_type: str = "",
    source_id: str = "",
    agreement=None,
    community: str = "",
) -> FundTransaction:
    """Record money paid into the fund (an inflow).

    Called by ``obligation_verify`` when a reported payment is verified; the actor is the
    verifying officer. Preconditions: a positive amount in minor units, an accepted currency,
    a reason. Side effects: a balanced transaction and a ``fund.receive`` audit event.
    """
    _check_amount(amount_minor, currency)
    if amount_minor <= 0:
        raise DomainError(_("A payment into the fund must be more than zero."))
    if not (reason or "").strip():
        raise DomainError(_("Say what the payment is for."))
    with transaction.atomic():
        _lock_account(currency)
        tx = _post(
            actor=actor,
            kind=TransactionKind.INFLOW,
            currency=currency,
            fund_change=amount_minor,
            counter_account=LedgerAccount.CONTRIBUTIONS,
            reason=reason.strip(),
            source_type=source_type,
            source_id=source_id,
            agreement=agreement,
            community=community,
        )
        audit.record(
            actor=actor,
            action="fund.receive",
            target=tx,
            payload={
                "amount_minor": amount_minor,
                "currency": currency,
                "source_type": source_type,
                "source_id": str(source_id or ""),
                "balance_after": _balance_locked(currency),
            },
        )
    return tx


def fund_disburse(
    *,
    actor,
    amount_minor: int,
    currency: str,
    reason: str,
    source_type: str = "",
    source_id: str = "",
    reservation: FundReservation | None = None,
) -> FundTransaction:
    """Pay money out of the fund (an outflow, e.g. redress to a harmed person).

    Preconditions: the actor is a harm officer or a benefit officer (or ``None`` for the
    system); a positive amount; a reason. Without a ``reservation`` the *available* money
    (balance minus open reservations) must cover it; with one, the open reservation of that
    amount and currency is consumed, so money promised earlier is paid even if others came
    later. The currency's account row is locked first, so concurrent movements queue and
    none can overdraw or spend what is earmarked. Raises ``InsufficientFunds`` otherwise.
    Side effects: a ``fund.disburse`` event, and ``fund.reservation_consume`` for the
    reservation.
    """
    if actor is not None and not can_disburse(actor):
        raise PermissionDenied(_("Only harm or benefit officers may pay out of the fund."))
    _check_amount(amount_minor, currency)
    if amount_minor <= 0:
        raise DomainError(_("A disbursement must be more than zero."))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the disbursement."))
    with transaction.atomic():
        _lock_account(currency)
        if reservation is not None:
            reservation = _lock_reservation(reservation)
            if not reservation.is_open:
                raise TransitionNotAllowed(_("This reservation has already been closed."))
            if (reservation.amount_minor, reservation.currency) != (amount_minor, currency):
                raise DomainError(_("The payment does not match the money reserved for it."))
        balance = _balance_locked(currency)
        reserved = _reserved_locked(currency, excluding=reservation)
        if amount_minor > balance - reserved:
            raise _short(
                amount_minor=amount_minor,
                currency=currency,
                balance=balance,
                reserved=reserved,
                verb=_("pay out"),
            )
        tx = _post(
            actor=actor,
            kind=TransactionKind.OUTFLOW,
            currency=currency,
            fund_change=-amount_minor,
            counter_account=LedgerAccount.DISBURSEMENTS,
            reason=reason.strip(),
            source_type=source_type,
            source_id=source_id,
        )
        audit.record(
            actor=actor,
            action="fund.disburse",
            target=tx,
            payload={
                "amount_minor": amount_minor,
                "currency": currency,
                "source_type": source_type,
                "source_id": str(source_id or ""),
                "balance_after": balance - amount_minor,
                "reservation": reservation.pk if reservation is not None else None,
            },
        )
        if reservation is not None:
            reservation.state = ReservationState.CONSUMED
            reservation.transaction = tx
            reservation.closed_at = timezone.now()
            reservation.save(update_fields=["state", "transaction", "closed_at"])
            audit.record(
                actor=actor,
                action="fund.reservation_consume",
                target=reservation,
                from_state=ReservationState.OPEN,
                to_state=reservation.state,
                payload={"transaction": tx.pk, "amount_minor": amount_minor, "currency": currency},
            )
    return tx


def _lock_reservation(reservation) -> FundReservation:
    return FundReservation.objects.select_for_update().get(pk=reservation.pk)


def fund_reserve(
    *,
    actor,
    amount_minor: int,
    currency: str,
    reason: str,
    source_type: str,
    source_id: str,
) -> FundReservation:
    """Earmark money for a promise (an offer of financial redress) so it can be paid later.

    Preconditions: the actor may pay out of the fund (or is ``None`` for the system); a
    positive amount; a reason; a source (what the money is promised to), with no other open
    reservation; the *available* money — balance minus open reservations, read under the
    currency's lock — covers it. Raises ``InsufficientFunds`` (a 400) otherwise, naming the
    balance, the reserved and the available amounts. Side effect: a ``fund.reserve`` event.
    """
    if actor is not None and not can_disburse(actor):
        raise PermissionDenied(_("Only harm or benefit officers may promise money from the fund."))
    _check_amount(amount_minor, currency)
    if amount_minor <= 0:
        raise DomainError(_("A reservation must be more than zero."))
    if not (reason or "").strip():
        raise DomainError(_("Say what the money is reserved for."))
    if not source_type or not str(source_id or ""):
        raise DomainError(_("Say what the money is reserved for."))
    with transaction.atomic():
        _lock_account(currency)
        if FundReservation.objects.filter(
            source_type=source_type, source_id=str(source_id), state=ReservationState.OPEN
        ).exists():
            raise TransitionNotAllowed(_("Money is already reserved for this."))
        balance = _balance_locked(currency)
        reserved = _reserved_locked(currency)
        if amount_minor > balance - reserved:
            raise _short(
                amount_minor=amount_minor,
                currency=currency,
                balance=balance,
                reserved=reserved,
                verb=_("reserve"),
            )
        reservation = FundReservation.objects.create(
            currency=currency,
            amount_minor=amount_minor,
            reason=reason.strip(),
            source_type=source_type,
            source_id=str(source_id),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor=actor,
            action="fund.reserve",
            target=reservation,
            to_state=reservation.state,
            payload={
                "amount_minor": amount_minor,
                "currency": currency,
                "source_type": source_type,
                "source_id": str(source_id),
                "available_after": balance - reserved - amount_minor,
            },
        )
    return reservation


def fund_release(*, actor, reservation: FundReservation, reason: str) -> FundReservation:
    """Release earmarked money whose promise lapsed (an offer declined or withdrawn).

    Preconditions: the actor may pay out of the fund, or is ``None`` for the system (a
    reporter's decline releases through the harms service); the reservation is open.
    Side effect: a ``fund.release`` event; the money is available again.
    """
    if actor is not None and getattr(actor, "is_authenticated", False) and not can_disburse(actor):
        raise PermissionDenied(_("Only harm or benefit officers may release reserved money."))
    with transaction.atomic():
        _lock_account(reservation.currency)
        reservation = _lock_reservation(reservation)
        if not reservation.is_open:
            raise TransitionNotAllowed(_("This reservation has already been closed."))
        reservation.state = ReservationState.RELEASED
        reservation.closed_at = timezone.now()
        reservation.save(update_fields=["state", "closed_at"])
        audit.record(
            actor=actor,
            action="fund.release",
            target=reservation,
            from_state=ReservationState.OPEN,
            to_state=reservation.state,
            payload={
                "amount_minor": reservation.amount_minor,
                "currency": reservation.currency,
                "source_type": reservation.source_type,
                "source_id": reservation.source_id,
                "reason": (reason or "").strip(),
            },
        )
    return reservation


def fund_reservation_for(*, source_type: str, source_id) -> FundReservation | None:
    """The open reservation made for a source, if any."""
    return FundReservation.objects.filter(
        source_type=source_type, source_id=str(source_id), state=ReservationState.OPEN
    ).first()


def fund_adjust(
    *, actor, corrects: FundTransaction, amount_minor: int, reason: str
) -> FundTransaction:
    """Correct an earlier ledger entry by a signed amount (the ledger is never edited).

    Preconditions: the actor is a benefit officer; ``corrects`` is an existing transaction
    (the adjustment takes its currency, agreement and community); a non-zero amount; a
    reason; a negative correction must not take the balance below zero. Side effects: a
    ``fund.adjust`` audit event naming the corrected entry.
    """
    if not can_adjust_fund(actor):
        raise PermissionDenied(_("Only benefit officers may correct the fund ledger."))
    if corrects is None or corrects.pk is None:
        raise DomainError(
            _("An adjustment must cite the entry it corrects."),
            field_errors={"corrects": [_("Choose the entry this corrects.")]},
        )
    currency = corrects.currency
    _check_amount(amount_minor, currency)
    if amount_minor == 0:
        raise DomainError(
            _("An adjustment of zero changes nothing."),
            field_errors={"amount": [_("Enter a non-zero amount.")]},
        )
    if not (reason or "").strip():
        raise DomainError(
            _("An adjustment must give its reason."),
            field_errors={"reason": [_("Give the reason for the correction.")]},
        )
    with transaction.atomic():
        _lock_account(currency)
        balance = _balance_locked(currency)
        reserved = _reserved_locked(currency)
        if amount_minor < 0 and balance + amount_minor < reserved:
            raise InsufficientFunds(
                _(
                    "This correction would take the fund below zero or below the money "
                    "reserved for offers already made (it holds %(balance)s, of which "
                    "%(reserved)s is reserved)."
                )
                % {
                    "balance": format_amount(balance, currency),
                    "reserved": format_amount(reserved, currency),
                }
            )
        tx = _post(
            actor=actor,
            kind=TransactionKind.ADJUSTMENT,
            currency=currency,
            fund_change=amount_minor,
            counter_account=LedgerAccount.CORRECTIONS,
            reason=reason.strip(),
            source_type="fund_transaction",
            source_id=str(corrects.pk),
            agreement=corrects.agreement,
            community=corrects.community,
            corrects=corrects,
        )
        audit.record(
            actor=actor,
            action="fund.adjust",
            target=tx,
            payload={
                "amount_minor": amount_minor,
                "currency": currency,
                "corrects": corrects.pk,
                "reason": reason.strip(),
                "balance_after": balance + amount_minor,
            },
        )
    return tx


# ---- promises to a source (e.g. an offer of financial redress) ------------------------------
# One entrance for another app that promises money to something of its own: reserve with
# ``fund_reserve``, then pay or release by naming the same source. Lock order: the caller's
# rows first, then the currency's account, then the reservation.


def fund_pay_promised(
    *, actor, amount_minor: int, currency: str, reason: str, source_type: str, source_id
) -> FundTransaction:
    """Pay what was promised to a source: its open reservation is consumed (a promise made
    before reservations existed has none and is paid from the available money if it
    suffices). Raises ``InsufficientFunds`` otherwise; see ``fund_disburse``."""
    with transaction.atomic():
        _lock_account(currency)
        reservation = fund_reservation_for(source_type=source_type, source_id=source_id)
        return fund_disburse(
            actor=actor,
            amount_minor=amount_minor,
            currency=currency,
            reason=reason,
            source_type=source_type,
            source_id=str(source_id),
            reservation=reservation,
        )


def fund_release_promised(
    *, actor, source_type: str, source_id, reason: str
) -> FundReservation | None:
    """Release the money promised to a source whose promise lapsed; None when nothing was
    reserved for it (a promise made before reservations existed)."""
    reservation = fund_reservation_for(source_type=source_type, source_id=source_id)
    if reservation is None:
        return None
    return fund_release(actor=actor, reservation=reservation, reason=reason)
