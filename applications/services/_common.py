"""Helpers shared by the application services."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from solidarity.accounts.roles import Role
from solidarity.catalog.duo import DataUse
from solidarity.errors import DomainError, PermissionDenied
from solidarity.notifications.services import notify

from .. import hdruk
from ..models import CONTENT_FIELDS as MODEL_CONTENT_FIELDS
from ..models import (
    Application,
    ApplicationState,
    Beneficiary,
)

S = ApplicationState

CONTENT_FIELDS = ["organisation", *MODEL_CONTENT_FIELDS]
EXPIRY_WARNINGS = (30, 7)


# ---- helpers ----------------------------------------------------------------------------


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "organisation")
        .get(pk=application.pk)
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field_errors={field: [message]})
    return value


def _url(application) -> str:
    return f"/applications/{application.pk}/"


def _tell_applicant(application, subject, body) -> None:
    """The applicant and the accepted co-applicants hear what happens to the application.

    ``subject`` and ``body`` are texts or callables returning them; callables are called in
    each recipient's language (``notify``).
    """
    from ..team import MemberState

    members = get_user_model().objects.filter(
        is_active=True,
        application_memberships__application_id=application.pk,
        application_memberships__state=MemberState.ACCEPTED,
    )
    notify(
        recipients=[application.applicant, *members],
        kind="application",
        context=lambda: {
            "subject": subject() if callable(subject) else subject,
            "body": body() if callable(body) else body,
        },
        url=_url(application),
    )


def _role_users(*roles):
    return list(get_user_model().objects.filter(groups__name__in=roles, is_active=True).distinct())


def _custodians_of(application, dataset_ids=None):
    requests = application.dataset_requests.all()
    if dataset_ids is not None:
        requests = requests.filter(dataset_id__in=dataset_ids)
    orgs = requests.values("dataset__custodian")
    return list(
        get_user_model()
        .objects.filter(
            memberships__organisation__in=orgs, groups__name=Role.CUSTODIAN, is_active=True
        )
        .distinct()
    )


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if "beneficiaries" in fields:
        values = list(fields["beneficiaries"] or [])
        if set(values) - set(Beneficiary.values):
            message = _("Unknown beneficiary.")
            raise DomainError(message, field_errors={"beneficiaries": [message]})
        fields["beneficiaries"] = values
    if "research_use" in fields and fields["research_use"] not in DataUse.values:
        message = _("Unknown research purpose.")
        raise DomainError(message, field_errors={"research_use": [message]})
    for name, choices in hdruk.CHOICES.items():
        if fields.get(name) and fields[name] not in choices.values:
            message = _("Unknown choice.")
            raise DomainError(message, field_errors={name: [message]})
    for text in ("research_countries",):
        if fields.get(text):
            fields[text] = ", ".join(
                c.strip().upper() for c in fields[text].replace(";", ",").split(",") if c.strip()
            )
    return fields


def _validate_dates(application) -> None:
    dates = application.start_date and application.end_date
    if dates and application.end_date < application.start_date:
        message = _("The end must not come before the start.")
        raise DomainError(message, field_errors={"end_date": [message]})
