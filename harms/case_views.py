"""HTML for harm cases: the owner and hand-over box on a report, and the incident pages.

Only harm officers; everyone else gets 403 (signed in) or the login page.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from solidarity.errors import DomainError
from solidarity.form_renderer import QUICK_RENDERER, ListedChoiceIterator

from . import case_selectors, cases
from .case_models import HarmIncident
from .models import HarmReport, Severity
from .permissions import is_harm_officer


class OfficerChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator

    def label_from_instance(self, obj) -> str:
        return f"{obj} ({obj.get_username()})"


class AssignOwnerForm(forms.Form):
    owner = OfficerChoiceField(queryset=cases.harm_officers(), label=gettext_lazy("Harm officer"))
    note = forms.CharField(
        label=gettext_lazy("Note for the new owner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LinkIncidentForm(forms.Form):
    """Join an existing incident by its number, or start one with another report."""

    incident = forms.IntegerField(
        label=gettext_lazy("Incident number"), required=False, min_value=1
    )
    other_report = forms.IntegerField(
        label=gettext_lazy("Or start an incident with report number"), required=False, min_value=1
    )
    title = forms.CharField(label=gettext_lazy("Title of the new incident"), required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("incident")) == bool(data.get("other_report")):
            raise forms.ValidationError(
                _("Give either an incident number or another report's number.")
            )
        if data.get("other_report") and not (data.get("title") or "").strip():
            self.add_error("title", _("Give the new incident a title."))
        return data


def _require_officer(request) -> None:
    if not is_harm_officer(request.user):
        raise PermissionDenied


def case_context(report) -> dict:
    """What the report page's case box needs (officers only; the caller checks)."""
    return {
        "handovers": list(case_selectors.harm_report_handovers(report.pk)),
        "assign_form": AssignOwnerForm(prefix="case"),
        "incident_form": LinkIncidentForm(prefix="incident"),
    }


@login_required
@require_POST
def assign_owner(request, pk):
    _require_officer(request)
    report = get_object_or_404(HarmReport, pk=pk)
    form = AssignOwnerForm(request.POST, prefix="case")
    if form.is_valid():
        try:
            cases.harm_report_assign_owner(
                actor=request.user,
                report=report,
                owner=form.cleaned_data["owner"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The case now belongs to %(u)s.")
                % {"u": form.cleaned_data["owner"].get_username()},
            )
    else:
        messages.error(request, _("Choose a harm officer."))
    return redirect("harms:detail", pk=report.pk)


@login_required
@require_POST
def link_incident(request, pk):
    _require_officer(request)
    report = get_object_or_404(HarmReport, pk=pk)
    form = LinkIncidentForm(request.POST, prefix="incident")
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("harms:detail", pk=report.pk)
    data = form.cleaned_data
    try:
        if data.get("incident"):
            incident = HarmIncident.objects.filter(pk=data["incident"]).first()
            if incident is None:
                raise DomainError(_("There is no such incident."))
            cases.harm_incident_link(actor=request.user, incident=incident, report=report)
        else:
            incident = cases.harm_incident_create(
                actor=request.user,
                title=data["title"],
                report_ids=[report.pk, data["other_report"]],
            )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("harms:detail", pk=report.pk)
    return redirect("harms:incident", pk=incident.pk)


@login_required
def incidents(request):
    _require_officer(request)
    from django.core.paginator import Paginator

    page = Paginator(case_selectors.harm_incidents(), 25).get_page(request.GET.get("page"))
    return render(request, "harms/incidents.html", {"page": page})


@login_required
def incident(request, pk):
    _require_officer(request)
    try:
        found = case_selectors.harm_incident_detail(pk)
    except HarmIncident.DoesNotExist:
        raise Http404 from None
    return render(request, "harms/incident.html", {"incident": found})


@login_required
@require_POST
def incident_unlink(request, pk, report_pk):
    _require_officer(request)
    found = get_object_or_404(HarmIncident, pk=pk)
    report = get_object_or_404(HarmReport, pk=report_pk)
    try:
        cases.harm_incident_unlink(actor=request.user, incident=found, report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("harms:incident", pk=found.pk)


class BulkForm(forms.Form):
    """Triage or hand over several reports of the queue at once."""

    default_renderer = QUICK_RENDERER  # drawn on every request of the queue

    # Radio buttons, not drop-downs: a handful of fixed choices (the queue page keeps its
    # options few).
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[
            ("triage", gettext_lazy("Triage with this severity")),
            ("assign_owner", gettext_lazy("Hand over to this officer")),
        ],
        widget=forms.RadioSelect,
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        required=False,
        choices=Severity.choices,
        widget=forms.RadioSelect,
    )
    owner = OfficerChoiceField(
        queryset=cases.harm_officers(), label=gettext_lazy("Harm officer"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "triage" and not data.get("severity"):
            self.add_error("severity", _("Choose a severity to triage."))
        if data.get("action") == "assign_owner" and not data.get("owner"):
            self.add_error("owner", _("Choose the officer who takes the cases."))
        return data


@login_required
@require_POST
def queue_bulk(request):
    """Triage or hand over the reports ticked on the queue: each through its own service in
    its own transaction (``cases.harm_reports_bulk``); the page says what succeeded and what
    was refused, and why. Bad input re-renders the form with its errors."""
    from solidarity.api import int_param

    if not is_harm_officer(request.user):
        raise PermissionDenied
    form = BulkForm(request.POST, prefix="bulk")
    raw = request.POST.getlist("reports")[: cases.BULK_LIMIT + 1]
    ids = [pk for pk in (int_param(v) for v in raw) if pk]
    result = None
    if not ids or len(ids) > cases.BULK_LIMIT:
        form.is_valid()
        form.add_error(None, _("Choose between 1 and %(n)s reports.") % {"n": cases.BULK_LIMIT})
    elif form.is_valid():
        data = form.cleaned_data
        try:
            result = cases.harm_reports_bulk(
                actor=request.user,
                action=data["action"],
                report_ids=ids,
                owner=data.get("owner"),
                severity=data.get("severity") or "",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
    rows = None
    if result is not None:
        found = HarmReport.objects.in_bulk(
            [*result["succeeded"], *(r["id"] for r in result["refused"])]
        )
        rows = {
            "succeeded": [found[pk] for pk in result["succeeded"]],
            "refused": [(found.get(r["id"]), r["id"], r["reason"]) for r in result["refused"]],
        }
    return render(
        request,
        "harms/bulk.html",
        {"form": form, "ids": ids, "result": rows},
        status=200 if rows is not None else 400,
    )
