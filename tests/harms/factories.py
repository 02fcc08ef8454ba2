"""Factories for harm tests: applications made directly, reports through the service."""

import itertools

from applications.models import Application, DatasetRequest
from harms import services

_seq = itertools.count(1)

REPORT = {
    "what_happened": "My insurer learned about my diagnosis after a study used my records.",
    "occurred_when": "March 2026",
    "affected": "self",
    "categories": ["privacy_breach"],
}


def make_application(
    applicant, *, state="active", reference=None, title=None, organisation=None, datasets=()
):
    n = next(_seq)
    application = Application.objects.create(
        applicant=applicant,
        title=title or f"Diabetes outcomes study {n}",
        state=state,
        reference=reference or f"DSA-2026-{n:04d}",
        organisation=organisation,
    )
    for dataset in datasets:
        DatasetRequest.objects.create(application=application, dataset=dataset)
    return application


def make_report(actor=None, **overrides):
    """A report and its receipt code (None when the actor is signed in)."""
    return services.harm_report_create(actor=actor, **{**REPORT, **overrides})
