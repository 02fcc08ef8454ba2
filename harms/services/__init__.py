"""Every change to a harm report, a redress action or a suspension recommendation.

Each service runs in one transaction, locks the row it changes, checks who acts and the
current state, saves and writes the audit event. Audit payloads never carry the reporter's
contact details or the receipt code.

- ``reports``: a report's life, from reporting to appeal, and the panel's conversation;
- ``redress``: offers, answers, delivery from the solidarity fund, withdrawal;
- ``suspension``: recommendations to the chair to suspend a project.
"""

from ._common import MAX_ATTACHMENTS
from .redress import (
    REDRESS_SOURCE,
    redress_accept,
    redress_decline,
    redress_deliver,
    redress_offer,
    redress_payment_details_give,
    redress_withdraw,
)
from .reports import (
    harm_message_post,
    harm_report_acknowledge,
    harm_report_appeal,
    harm_report_close,
    harm_report_create,
    harm_report_investigate,
    harm_report_refer,
    harm_report_resolve,
    harm_report_triage,
    harm_reports_remind_overdue,
)
from .suspension import (
    harm_report_recommend_suspension,
    suspension_recommendation_dismiss,
    suspension_recommendation_execute,
)

__all__ = [
    "MAX_ATTACHMENTS",
    "REDRESS_SOURCE",
    "harm_message_post",
    "harm_report_acknowledge",
    "harm_report_appeal",
    "harm_report_close",
    "harm_report_create",
    "harm_report_investigate",
    "harm_report_recommend_suspension",
    "harm_report_refer",
    "harm_report_resolve",
    "harm_report_triage",
    "harm_reports_remind_overdue",
    "redress_accept",
    "redress_decline",
    "redress_deliver",
    "redress_offer",
    "redress_payment_details_give",
    "redress_withdraw",
    "suspension_recommendation_dismiss",
    "suspension_recommendation_execute",
]
