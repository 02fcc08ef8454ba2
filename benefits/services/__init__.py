"""Every change to agreements, obligations and the fund goes through these services."""

from .agreements import (
    agreement_draft,
    agreement_propose,
    agreement_reopen,
    agreement_sign,
    agreement_terminate,
    agreement_update,
    agreements_enter_force,
    missing_obligations,
)
from .fund import (
    InsufficientFunds,
    fund_adjust,
    fund_disburse,
    fund_receive,
    fund_release,
    fund_reservation_for,
    fund_reserve,
)
from .lifecycle import (
    agreement_cure,
    agreement_flag_breach,
    agreement_fulfil_if_complete,
    agreement_suspend_project,
)
from .obligations import (
    agreements_flag_breaches,
    expected_amount,
    obligation_add,
    obligation_reject,
    obligation_remove,
    obligation_report,
    obligation_verify,
    obligation_waive,
    obligations_mark_overdue,
)

__all__ = [
    "InsufficientFunds",
    "agreement_cure",
    "agreement_draft",
    "agreement_flag_breach",
    "agreement_fulfil_if_complete",
    "agreement_propose",
    "agreement_reopen",
    "agreement_sign",
    "agreement_suspend_project",
    "agreement_terminate",
    "agreement_update",
    "agreements_enter_force",
    "agreements_flag_breaches",
    "expected_amount",
    "fund_adjust",
    "fund_disburse",
    "fund_receive",
    "fund_release",
    "fund_reservation_for",
    "fund_reserve",
    "missing_obligations",
    "obligation_add",
    "obligation_reject",
    "obligation_remove",
    "obligation_report",
    "obligation_verify",
    "obligation_waive",
    "obligations_mark_overdue",
]
