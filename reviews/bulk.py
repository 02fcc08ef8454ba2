"""Bulk assignment of reviewers (issue 16): several applications at once, each through
``assignment_create`` in its own transaction; one refusal never undoes another's success."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from applications.selectors import applications_visible_to
from solidarity.errors import DomainError

from .permissions import can_assign
from .services import assignment_create

BULK_LIMIT = 100


def assignments_create_bulk(
    *, actor, application_ids, reviewer, role: str, due_on: datetime.date
) -> dict:
    """Ask ``reviewer`` to review each application, one by one (``assignment_create``: its
    preconditions, audit event and notification each time).

    Returns ``{"succeeded": [application], "refused": [(application or id, reason)]}`` in the
    order given. Applications the actor may not see are refused as unknown (never revealed).
    """
    if not can_assign(actor):
        raise PermissionDenied(_("Only the secretariat assigns reviewers."))
    ids = list(dict.fromkeys(application_ids or []))
    if not ids or len(ids) > BULK_LIMIT:
        raise DomainError(
            _("Choose between 1 and %(n)s applications.") % {"n": BULK_LIMIT},
            field_errors={"applications": [_("Choose applications.")]},
        )
    found = applications_visible_to(actor).in_bulk(ids)
    result: dict = {"succeeded": [], "refused": []}
    for pk in ids:
        application = found.get(pk)
        if application is None:
            result["refused"].append((pk, _("No such application.")))
            continue
        try:
            assignment_create(
                actor=actor, application=application, reviewer=reviewer, role=role, due_on=due_on
            )
        except (DomainError, PermissionDenied) as exc:
            reason = getattr(exc, "message", "") or str(exc)
            fields = getattr(exc, "field_errors", None) or {}
            details = [m for messages in fields.values() for m in messages]
            result["refused"].append((application, " ".join([reason, *details]).strip()))
        else:
            result["succeeded"].append(application)
    return result
