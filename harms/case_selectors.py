"""Reads for harm cases: incidents, their reports side by side, and a report's hand-overs."""

from django.db.models import Count, Prefetch, QuerySet

from .case_models import HarmIncident, HarmReportHandover
from .models import HarmReport, RedressAction


def harm_incidents() -> QuerySet:
    """Every incident with its number of reports, newest first (the caller checks the role)."""
    return (
        HarmIncident.objects.select_related("created_by")
        .annotate(report_count=Count("reports"))
        .order_by("-created_at", "-id")
    )


def harm_incident_detail(pk: int) -> HarmIncident:
    """One incident with its reports, each with owner, projects and redress: four queries."""
    reports = (
        HarmReport.objects.select_related("owner")
        .prefetch_related(
            "applications",
            Prefetch("redress", queryset=RedressAction.objects.order_by("offered_at", "id")),
        )
        .order_by("received_at", "id")
    )
    return (
        HarmIncident.objects.select_related("created_by")
        .prefetch_related(Prefetch("reports", queryset=reports))
        .get(pk=pk)
    )


def harm_report_handovers(report_id: int) -> QuerySet:
    """A report's hand-over history, oldest first, with the officers named."""
    return (
        HarmReportHandover.objects.filter(report_id=report_id)
        .select_related("from_officer", "to_officer", "by")
        .order_by("created_at", "id")
    )
