"""HTML pages for committee meetings, and the agenda-and-minutes PDF.

Committee members and auditors read; the secretariat and the chair write. Everyone else
gets 403.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from solidarity.errors import DomainError

from . import meetings
from .meeting_models import AgendaItem, Meeting


class ScheduleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    location = forms.CharField(label=gettext_lazy("Where"), max_length=200, required=False)


class AgendaForm(forms.Form):
    application = forms.CharField(
        label=gettext_lazy("Application reference"), max_length=40, strip=True
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        queryset=meetings.committee_members(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Present"),
    )
    apologies = forms.ModelMultipleChoiceField(
        queryset=meetings.committee_members(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Sent apologies"),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=gettext_lazy("Minutes"), max_length=50000, widget=forms.Textarea(attrs={"rows": 8})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)


def _require_reader(request) -> None:
    if not meetings.can_read_meetings(request.user):
        raise PermissionDenied


def _require_manager(request) -> None:
    if not meetings.can_manage_meetings(request.user):
        raise PermissionDenied


def _meeting(pk) -> Meeting:
    try:
        return meetings.meeting_detail(pk)
    except Meeting.DoesNotExist:
        raise Http404 from None


def _errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


@login_required
def meeting_list(request):
    _require_reader(request)
    form = None
    if meetings.can_manage_meetings(request.user):
        form = ScheduleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                meeting = meetings.meeting_schedule(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("reviews:meeting", pk=meeting.pk)
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(meetings.meetings_list(), 25).get_page(request.GET.get("page"))
    return render(request, "reviews/meetings.html", {"page": page, "form": form})


@login_required
def meeting_detail(request, pk):
    _require_reader(request)
    meeting = _meeting(pk)
    context = {"meeting": meeting, "can_manage": meetings.can_manage_meetings(request.user)}
    if context["can_manage"]:
        attendance = list(meeting.attendance.all())
        context.update(
            agenda_form=AgendaForm(),
            attendance_form=AttendanceForm(
                initial={
                    "present": [a.member_id for a in attendance if a.present],
                    "apologies": [a.member_id for a in attendance if not a.present],
                }
            ),
            minutes_form=MinutesForm(initial={"minutes": meeting.minutes}),
            cancel_form=CancelForm(),
        )
    return render(request, "reviews/meeting.html", context)


def _act(request, pk, form_class, call):
    _require_manager(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        _errors(request, form)
        return redirect("reviews:meeting", pk=meeting.pk)
    try:
        call(meeting, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reviews:meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_agenda_add(request, pk):
    from applications.models import Application

    def call(meeting, data):
        application = Application.objects.filter(reference__iexact=data["application"]).first()
        if application is None:
            raise DomainError(_("There is no application with this reference."))
        meetings.meeting_add_item(
            actor=request.user, meeting=meeting, application=application, note=data["note"]
        )

    return _act(request, pk, AgendaForm, call)


def _item(meeting, item_pk) -> AgendaItem:
    item = AgendaItem.objects.filter(pk=item_pk, meeting=meeting).first()
    if item is None:
        raise Http404
    return item


@login_required
@require_POST
def meeting_agenda_remove(request, pk, item_pk):
    return _act(
        request,
        pk,
        None,
        lambda m, _d: meetings.meeting_remove_item(actor=request.user, item=_item(m, item_pk)),
    )


@login_required
@require_POST
def meeting_decision_link(request, pk, item_pk):
    return _act(
        request,
        pk,
        None,
        lambda m, _d: meetings.meeting_link_decision(actor=request.user, item=_item(m, item_pk)),
    )


@login_required
@require_POST
def meeting_attendance(request, pk):
    return _act(
        request,
        pk,
        AttendanceForm,
        lambda m, d: meetings.meeting_record_attendance(
            actor=request.user,
            meeting=m,
            present_ids=[u.pk for u in d["present"]],
            absent_ids=[u.pk for u in d["apologies"]],
        ),
    )


@login_required
@require_POST
def meeting_minutes(request, pk):
    return _act(
        request,
        pk,
        MinutesForm,
        lambda m, d: meetings.meeting_record_minutes(
            actor=request.user, meeting=m, minutes=d["minutes"]
        ),
    )


@login_required
@require_POST
def meeting_cancel(request, pk):
    return _act(
        request,
        pk,
        CancelForm,
        lambda m, d: meetings.meeting_cancel(actor=request.user, meeting=m, reason=d["reason"]),
    )


@login_required
def meeting_pdf(request, pk):
    """The agenda and minutes as PDF, rendered synchronously: one meeting is small."""
    from solidarity.pdf import render_pdf

    _require_reader(request)
    meeting = _meeting(pk)
    items = list(meeting.items.all())
    attendance = list(meeting.attendance.all())
    data = {
        "meeting": meeting.pk,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "state": meeting.state,
        "agenda": [
            {
                "position": i.position,
                "application": i.application.reference,
                "decision": i.decision.outcome if i.decision_id else None,
            }
            for i in items
        ],
        "present": [a.member.get_username() for a in attendance if a.present],
        "apologies": [a.member.get_username() for a in attendance if not a.present],
    }
    rendered = render_pdf(
        template="reports/meeting.html",
        context={
            "report_title": meeting.title,
            "report_subtitle": _("Agenda and minutes"),
            "generated_by": request.user.get_username(),
            "sections": [
                {"id": "agenda", "title": _("Agenda")},
                {"id": "attendance", "title": _("Attendance")},
                {"id": "minutes", "title": _("Minutes")},
            ],
            "meeting": meeting,
            "items": items,
            "attendance": attendance,
        },
        data=data,
        data_name="meeting.json",
    )
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.pdf"'
    return response
