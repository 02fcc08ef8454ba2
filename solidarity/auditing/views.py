import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from solidarity.audit.display import describe
from solidarity.audit.models import AuditEvent
from solidarity.audit.permissions import can_read_audit_trail
from solidarity.audit.selectors import audit_event_search
from solidarity.audit.services import audit_verify
from solidarity.errors import DomainError
from solidarity.listing import date_formatter
from solidarity.pagination import paginate
from solidarity.search import search_terms

from . import reports, services
from .forms import ReportRequestForm
from .models import ReportJob
from .rules import REPORT_JOB, UNFINISHED

logger = logging.getLogger(__name__)


def _date(value: str):
    """A date from a query parameter; anything malformed is ignored rather than an error."""
    try:
        return parse_date(value.strip())
    except ValueError:
        return None


def _with_cells(events: list) -> list:
    """The console's time and hash cells, written once per event here rather than by
    template filters: the time in the current time zone (ISO for ``datetime``, the short
    local form for people) and the hash's first twelve characters."""
    short = date_formatter("SHORT_DATETIME_FORMAT")
    for e in events:
        e.when_iso = template_localtime(e.created_at).isoformat()
        e.when_text = short(e.created_at)
        e.hash_short = f"{e.hash[:12]}…" if len(e.hash) > 13 else e.hash
    return events


@login_required
def audit_console(request):
    """The auditor's view of the trail: filter by actor, action and object; verify the chain."""
    if not can_read_audit_trail(request.user):
        raise PermissionDenied
    # The console shows neither the payload nor the previous hash: not read.
    events = AuditEvent.objects.defer("payload", "prev_hash").order_by("-id")
    q = search_terms(request.GET.get("q", ""))
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "").strip()
    target = request.GET.get("target", "").strip()
    since = _date(request.GET.get("since", ""))
    until = _date(request.GET.get("until", ""))
    if actor:
        events = events.filter(actor_label=actor)
    if action:
        events = events.filter(action__startswith=action)
    if target:
        events = events.filter(target_repr__icontains=target)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    events = audit_event_search(events, q)
    page = paginate(request, events, 50)
    page.object_list = _with_cells(describe(page.object_list))
    verification = audit_verify() if request.GET.get("verify") else None
    return render(
        request,
        "auditing/console.html",
        {
            "page": page,
            "verification": verification,
            "filters": {
                "q": q,
                "actor": actor,
                "action": action,
                "target": target,
                "since": since.isoformat() if since else "",
                "until": until.isoformat() if until else "",
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    """Request a PDF report and follow the ones you asked for."""
    kinds = reports.kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    form = ReportRequestForm(request.POST or None, kinds=kinds, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            job = services.report_request(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                params=form.params(),
                archival=form.cleaned_data["archival"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your report is being built."))
            return redirect("auditing:report-detail", pk=job.pk)
    jobs = ReportJob.objects.filter(requested_by=request.user).order_by("-id")[:20]
    return render(request, "auditing/reports.html", {"form": form, "jobs": jobs})


def _own_job(request, pk) -> ReportJob:
    job = get_object_or_404(ReportJob.objects.select_related("requested_by"), pk=pk)
    if job.requested_by_id != request.user.pk or not reports.can_export(request.user, job.kind):
        raise Http404
    return job


@login_required
@require_GET
def report_detail(request, pk):
    """The job's progress; htmx polls the status fragment until the file is ready."""
    job = _own_job(request, pk)
    template = "auditing/_report_status.html" if request.htmx else "auditing/report_detail.html"
    return render(
        request,
        template,
        {
            "job": job,
            # The rulebook's moves (``auditing/rules.py``): the page polls while the worker
            # has something to do, and offers what the requester may do now.
            "polling": job.state in UNFINISHED,
            "actions": {t.name for t in REPORT_JOB.available(request.user, job)},
        },
    )


@login_required
@require_http_methods(["POST"])
def report_rebuild(request, pk):
    """Build a failed report again: a new job with the same parameters."""
    job = _own_job(request, pk)
    try:
        new = services.report_rebuild(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("auditing:report-detail", pk=job.pk)
    messages.success(request, _("Your report is being built again."))
    return redirect("auditing:report-detail", pk=new.pk)


@login_required
@require_GET
def report_download(request, pk):
    job = _own_job(request, pk)
    if job.state != ReportJob.State.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        # The database says done but the file is gone (e.g. a restore without the media).
        logger.error("Report %s is done but its file %s is missing", job.pk, job.file.name)
        raise Http404(_("The file of this report is missing; build it again.")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
