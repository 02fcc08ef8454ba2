"""Every change to grants, nodes, pushes and runs: one transaction, one audit event each."""

from .grants import grants_end, grants_open, on_project_changed, project_members
from .nodes import node_register, node_revoke, node_update_webhook
from .pushes import backoff_seconds, webhook_deliver, webhook_retry_due
from .runs import run_flag, run_report

__all__ = [
    "backoff_seconds",
    "grants_end",
    "grants_open",
    "node_register",
    "node_revoke",
    "node_update_webhook",
    "on_project_changed",
    "project_members",
    "run_flag",
    "run_report",
    "webhook_deliver",
    "webhook_retry_due",
]
