"""What every harm service shares: who the audit names, locks, and telling the reporter."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from solidarity.accounts.roles import Role
from solidarity.errors import PermissionDenied
from solidarity.notifications.services import notify

from ..models import (
    HarmMessage,
    HarmReport,
    HarmReportState,
)
from ..permissions import (
    is_harm_officer,
)

S = HarmReportState
MAX_ATTACHMENTS = 5


def _audit_actor(actor):
    """Who the audit trail names for a reporter's own act: never the reporter's identity."""
    from ..rules import audit_actor

    return audit_actor(actor)


def _require_officer(actor) -> None:
    if not is_harm_officer(actor):
        raise PermissionDenied(_("Only harm officers may do this."))


def _lock(report: HarmReport) -> HarmReport:
    return HarmReport.objects.select_for_update().get(pk=report.pk)


def _officers():
    return get_user_model().objects.filter(groups__name=Role.HARM_OFFICER, is_active=True)


def _tell_reporter(report: HarmReport, context) -> None:
    """Tell the reporter there is news: in-app when signed in, else by e-mail if they left one.

    ``context`` is a callable returning the subject and body, so the texts are written in the
    reporter's language: their account's preference, or the language the report was filed in.
    The message never contains the receipt code, which the system does not know.
    """
    if report.reporter_id:
        notify(
            recipients=[report.reporter],
            kind="harm_report.update",
            context=context,
            url=f"/harms/{report.pk}/",
        )
    elif report.contact_ciphertext:
        # Through the outbox like every e-mail: a broker outage delays it, never loses it.
        # The address is decrypted only at send time (harms.tasks.reporter_address).
        from solidarity.notifications.services import notify_address

        notify_address(
            address_key=f"harm_reporter:{report.pk}",
            kind="harm_report.update",
            context=context,
            language=report.language,
        )


def _news_for_reporter(report: HarmReport) -> None:
    reference = report.reference
    _tell_reporter(
        report,
        lambda: {
            "subject": _("There is news about your harm report %(ref)s") % {"ref": reference},
            "body": _(
                "The harm panel has updated your report. Sign in, or use your receipt code on "
                "the status page, to read it."
            ),
        },
    )


def _post(report, *, author, body, internal=False, from_reporter=False) -> HarmMessage:
    return HarmMessage.objects.create(
        report=report,
        author=author if getattr(author, "is_authenticated", False) else None,
        body=body,
        internal=internal,
        from_reporter=from_reporter,
    )
