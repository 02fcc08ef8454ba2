from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from solidarity.errors import DomainError
from solidarity.pagination import paginate

from . import forms, rules, selectors, services
from .lesson_models import HarmLesson, HarmReview
from .lessons import (
    harm_lesson_record,
    harm_review_close,
    harm_reviews_check_after_commit,
    harm_reviews_open,
)
from .models import HarmAttachment, HarmReport, HarmReportState, RedressAction, next_step
from .models import SuspensionRecommendation as Recommendation
from .permissions import (
    ReceiptHolder,
    can_complete_data_request,
    can_decide_suspension,
    can_read_all_reports,
    can_see_internal_notes,
    can_see_reporter_identity,
    is_harm_officer,
    is_reporter_of,
)
from .throttles import AnonymousReportThrottle, allowed, receipt_lookup_allowed

SESSION_REPORT = "harms_receipt_report"
SESSION_NEW_CODE = "harms_new_receipt"
S = HarmReportState


def _apply_errors(form, exc: DomainError) -> None:
    if not exc.field_errors:
        form.add_error(None, exc.message)
    for field, errors in exc.field_errors.items():
        form.add_error(field if field in form.fields else None, errors)


# Reporting


def _initial(form_class, data, prefix) -> dict:
    """What was typed, as initial values: re-shows a form without judging it yet."""
    initial = {}
    for name, field in form_class.base_fields.items():
        key = f"{prefix}-{name}"
        if isinstance(field, forms.forms.MultipleChoiceField):
            initial[name] = data.getlist(key)
        elif key in data:
            initial[name] = data.get(key)
    return initial


class ReportView(View):
    """The public report form: signed in or anonymous, no proof asked for."""

    template = "harms/report_form.html"

    def _forms(self, request):
        data = request.POST if request.method == "POST" else None
        return (
            forms.ReportForm(data, request.FILES or None, prefix="r"),
            forms.LinkForm(data or request.GET or None, prefix="l"),
            forms.ContactForm(data, prefix="c"),
        )

    def _render(self, request, report_form, link_form, contact_form, status=200):
        return render(
            request,
            self.template,
            {"report_form": report_form, "link_form": link_form, "contact_form": contact_form},
            status=status,
        )

    def get(self, request):
        report_form, link_form, contact_form = self._forms(request)
        return self._render(request, report_form, link_form, contact_form)

    def post(self, request):
        report_form, link_form, contact_form = self._forms(request)
        if "find_project" in request.POST:
            # Re-show the form with the projects matching the search; nothing is sent yet.
            report_form = forms.ReportForm(
                initial=_initial(forms.ReportForm, request.POST, "r"), prefix="r"
            )
            return self._render(request, report_form, link_form, contact_form)
        valid = all([report_form.is_valid(), link_form.is_valid(), contact_form.is_valid()])
        if contact_form.is_bound and contact_form.data.get("c-website"):
            contact_form.add_error(
                None,
                _(
                    "Your report could not be sent. If you are a person, leave the field "
                    "“Leave this field empty” empty and send it again."
                ),
            )
            return self._render(request, report_form, link_form, contact_form, status=400)
        if not request.user.is_authenticated and not allowed(AnonymousReportThrottle, request):
            report_form.add_error(
                None,
                _(
                    "Too many reports have been sent from your connection. Please wait an hour "
                    "and try again; your text is kept below."
                ),
            )
            return self._render(request, report_form, link_form, contact_form, status=429)
        if not valid:
            return self._render(request, report_form, link_form, contact_form)
        data, links = report_form.cleaned_data, link_form.cleaned_data
        project = links.get("project")
        try:
            report, code = services.harm_report_create(
                actor=request.user,
                what_happened=data["what_happened"],
                occurred_when=data["occurred_when"],
                affected=data["affected"],
                categories=data["categories"],
                application=project,
                dataset=links.get("dataset"),
                project_hint="" if project else links.get("project_search", ""),
                contact=contact_form.contact(),
                attachments=data["attachments"],
            )
        except DomainError as exc:
            _apply_errors(report_form, exc)
            return self._render(request, report_form, link_form, contact_form)
        if code:
            request.session[SESSION_NEW_CODE] = code
            request.session[SESSION_REPORT] = report.pk
            return redirect("harms:receipt")
        messages.success(
            request, _("Thank you. Your report %(ref)s was sent.") % {"ref": report.reference}
        )
        return redirect("harms:detail", pk=report.pk)


def receipt(request):
    """Shows an anonymous reporter their receipt code, once."""
    code = request.session.pop(SESSION_NEW_CODE, None)
    return render(request, "harms/receipt.html", {"code": code})


def _receipt_report(request):
    pk = request.session.get(SESSION_REPORT)
    if not pk:
        return None
    try:
        return selectors.harm_report_for_receipt(pk)
    except HarmReport.DoesNotExist:
        request.session.pop(SESSION_REPORT, None)
        return None


def _reporter_context(report, actor, **extra):
    _with_moves(report, actor)
    return {
        "report": report,
        "moves": rules.moves(rules.HARM_REPORT, actor, report),
        "next_step": next_step(report),
        "message_form": forms.MessageForm(prefix="message"),
        "appeal_form": forms.AppealForm(prefix="appeal"),
        "payment_form": forms.PaymentDetailsForm(prefix="payment"),
        **extra,
    }


class StatusView(View):
    """A report's status by receipt code; a wrong and a missing code answer alike."""

    def get(self, request):
        report = _receipt_report(request)
        if report is not None:
            actor = ReceiptHolder(report_id=report.pk)
            return render(
                request, "harms/status.html", _reporter_context(report, actor, by_code=True)
            )
        return render(request, "harms/status_lookup.html", {"form": forms.StatusLookupForm()})

    def post(self, request):
        form = forms.StatusLookupForm(request.POST)
        if not receipt_lookup_allowed(request, request.POST.get("code", "")):
            form.is_valid()
            form.add_error(None, _("Too many attempts. Please wait a while and try again."))
            return render(request, "harms/status_lookup.html", {"form": form}, status=429)
        if form.is_valid():
            report = selectors.harm_report_by_receipt(form.cleaned_data["code"])
            if report is not None:
                request.session.cycle_key()
                request.session[SESSION_REPORT] = report.pk
                return redirect("harms:status")
            form.add_error(
                None, _("We could not find a report with this code. Check it and try again.")
            )
        return render(request, "harms/status_lookup.html", {"form": form})


@require_POST
def status_forget(request):
    request.session.pop(SESSION_REPORT, None)
    messages.success(request, _("This device no longer shows your report."))
    return redirect("harms:status")


@login_required
def mine(request):
    page = paginate(request, selectors.harm_reports_of(request.user), 25)
    return render(request, "harms/mine.html", {"page": page})


# The panel


def _queue_row_html(rows: list[dict], *, bulk: bool) -> list[SafeString]:
    """The queue's table rows from their cells (``harm_report_queue_rows``), written once per
    page here with each value escaped as the template would (labels translated once)."""
    from solidarity.listing import interpolate

    esc = conditional_escape
    select = _("Select %(ref)s")
    overdue = f' <span class="overdue">{esc(_("overdue"))}</span>'
    shown = []
    for r in rows:
        pk = int(r["pk"])
        pick = ""
        if bulk:
            label = interpolate(select, ref=r["reference"])
            pick = (
                f'<td><input type="checkbox" name="reports" value="{pk}" form="bulk-reports" '
                f'id="pick-{pk}" aria-label="{esc(label)}"></td>'
            )
        due = "—"
        if r["due"]:
            due = esc(r["due"]) + (overdue if r["overdue"] else "")
        shown.append(
            mark_safe(  # noqa: S308 -- every value below is escaped
                f'\n    <tr>{pick}<th scope="row"><a href="{esc(r["url"])}">'
                f"{esc(r['reference'])}</a></th>\n"
                f"    <td>{esc(r['state'])}</td><td>{esc(r['severity'])}</td>\n"
                f"    <td>{esc(r['kinds'])}</td>\n"
                f"    <td>{esc(r['projects'])}</td>\n"
                f"    <td>{due}</td></tr>\n  "
            )
        )
    return shown


@login_required
def queue(request):
    if not can_read_all_reports(request.user):
        raise PermissionDenied
    form = forms.QueueFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.harm_report_queue(
        state=f.get("state", ""),
        category=f.get("category", ""),
        severity=f.get("severity", ""),
        application_id=f["project"].pk if f.get("project") else None,
        dataset_id=f["dataset"].pk if f.get("dataset") else None,
        overdue_only=f.get("overdue", False),
        q=f.get("q", ""),
    )
    page = paginate(request, selectors.harm_report_queue_listing(qs), 25)
    from .case_views import BulkForm

    bulk_form = BulkForm(prefix="bulk") if is_harm_officer(request.user) else None
    return render(
        request,
        "harms/queue.html",
        {
            "form": form,
            "page": page,
            "rows": _queue_row_html(
                selectors.harm_report_queue_rows(page.object_list), bulk=bulk_form is not None
            ),
            "bulk_form": bulk_form,
        },
    )


OFFICER_FORMS = {
    "acknowledge": forms.AcknowledgeForm,
    "triage": forms.TriageForm,
    "investigate": forms.NoteForm,
    "offer-redress": forms.OfferRedressForm,
    "resolve": forms.ResolveForm,
    "close": forms.CloseForm,
    "refer": forms.ReferForm,
    "recommend-suspension": forms.RecommendSuspensionForm,
    "message": forms.OfficerMessageForm,
}


def _available(user, report) -> set[str]:
    """The panel's forms this officer may use now: the rulebook's moves, plus a message and
    (while a linked project can be suspended) a recommendation to the chair."""
    from applications.rules import APPLICATION

    found = {"message"} | rules.moves(rules.HARM_REPORT, user, report)
    if any(APPLICATION.in_source_state("suspend", a) for a in report.applications.all()):
        found.add("recommend-suspension")
    return found


def _with_moves(report, actor):
    """Each redress action on the page learns what this actor may do with it (the table's
    answer: accept, decline, deliver, withdraw, payment details)."""
    for action in report.redress_actions:
        action.report = report
        action.moves = rules.moves(rules.REDRESS, actor, action)
    return report


def _make_form(name, report, data=None):
    cls = OFFICER_FORMS[name]
    kwargs = {"report": report} if name == "recommend-suspension" else {}
    if name == "triage" and data is None:
        kwargs["initial"] = {
            "applications": list(report.applications.all()),
            "datasets": list(report.datasets.all()),
        }
    return cls(data, prefix=name, **kwargs)


def _detail_context(request, report, bound=None):
    user = request.user
    _with_moves(report, user)
    context = {
        "report": report,
        "next_step": next_step(report),
        "show_identity": can_see_reporter_identity(user),
        "show_internal": can_see_internal_notes(user),
        "is_officer": is_harm_officer(user),
        "awaiting": rules.HARM_REPORT.awaited(report),
    }
    if context["show_identity"]:
        context["contact"] = selectors.reporter_contact(report)
        for action in report.redress_actions:
            if action.payment_details_ciphertext:
                action.payment_details_plain = selectors.payment_details(action)
    if context["is_officer"]:
        available = _available(user, report)
        if bound is not None:
            available.add(bound.prefix)  # a refused action comes back with its message
        context["actions"] = {
            name.replace("-", "_"): (
                bound if bound is not None and bound.prefix == name else _make_form(name, report)
            )
            for name in OFFICER_FORMS
            if name in available
        }
        from .case_views import case_context

        context.update(case_context(report))
        context["lesson"] = HarmLesson.objects.filter(report_id=report.pk).first()
        context["deliver_form"] = forms.DeliverForm()
        context["answer_form"] = forms.RedressAnswerForm()
        if "offer_redress" in context["actions"]:
            from benefits.selectors import fund_positions

            context["fund_available"] = [
                (currency, p["available"]) for currency, p in fund_positions().items()
            ]
    return context


@login_required
def detail(request, pk):
    try:
        report = selectors.harm_report_for(request.user, pk)
    except HarmReport.DoesNotExist:
        raise Http404 from None
    if not can_read_all_reports(request.user):
        return render(
            request, "harms/status.html", _reporter_context(report, request.user, by_code=False)
        )
    return render(request, "harms/detail.html", _detail_context(request, report))


def _done(action: str, report) -> str:
    """What the panel's action did, said plainly (not "Done.")."""
    texts = {
        "acknowledge": _("%(ref)s acknowledged; the reporter was told."),
        "triage": _("%(ref)s triaged; the reporter was told."),
        "investigate": _("%(ref)s is now under investigation."),
        "offer-redress": _("Redress offered on %(ref)s; the reporter was told."),
        "resolve": _("%(ref)s resolved; the reporter was told the outcome."),
        "close": _("%(ref)s closed without action; the reporter was told why."),
        "refer": _("%(ref)s referred; the reporter was told."),
        "recommend-suspension": _("Suspension recommended to the chair for %(ref)s."),
    }
    return texts.get(action, _("%(ref)s updated.")) % {"ref": report.reference}


@method_decorator(login_required, name="dispatch")
class OfficerActionView(View):
    """POST one of the panel's actions on a report; an invalid form comes back filled."""

    def post(self, request, pk, action):
        if action not in OFFICER_FORMS or action == "message":
            raise Http404
        if not is_harm_officer(request.user):
            raise PermissionDenied
        report = get_object_or_404(HarmReport, pk=pk)
        form = _make_form(action, report, request.POST)
        if form.is_valid():
            try:
                self._call(action, request.user, report, form)
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _done(action, report))
                return redirect("harms:detail", pk=report.pk)
        report = selectors.harm_report_for(request.user, pk)
        return render(
            request, "harms/detail.html", _detail_context(request, report, bound=form), status=400
        )

    def _call(self, action, actor, report, form):
        d = form.cleaned_data
        if action == "acknowledge":
            services.harm_report_acknowledge(actor=actor, report=report, message=d["message"])
        elif action == "triage":
            services.harm_report_triage(
                actor=actor,
                report=report,
                severity=d["severity"],
                applications=list(d["applications"]),
                datasets=list(d["datasets"]),
                note=d["note"],
            )
            harm_reviews_check_after_commit()
        elif action == "investigate":
            services.harm_report_investigate(actor=actor, report=report, note=d["note"])
        elif action == "offer-redress":
            services.redress_offer(
                actor=actor,
                report=report,
                kind=d["kind"],
                description=d["description"],
                amount_minor=form.amount_minor,
                dataset=d.get("dataset"),
            )
        elif action == "resolve":
            # The resolution and its lesson are saved together, or neither.
            with transaction.atomic():
                services.harm_report_resolve(actor=actor, report=report, outcome=d["outcome"])
                if d.get("lesson", "").strip():
                    harm_lesson_record(actor=actor, report=report, text=d["lesson"])
        elif action == "close":
            services.harm_report_close(actor=actor, report=report, reasons=d["reasons"])
        elif action == "refer":
            services.harm_report_refer(
                actor=actor, report=report, referred_to=d["referred_to"], reasons=d["reasons"]
            )
        elif action == "recommend-suspension":
            services.harm_report_recommend_suspension(
                actor=actor, report=report, application=d["application"], reason=d["reason"]
            )


def _actor_for(request, report):
    """The signed-in reporter or officer, or whoever proved the receipt code on this device."""
    user = request.user
    if user.is_authenticated and (is_harm_officer(user) or is_reporter_of(user, report)):
        return user
    if request.session.get(SESSION_REPORT) == report.pk:
        return ReceiptHolder(report_id=report.pk)
    raise Http404


def _back(actor, report):
    if isinstance(actor, ReceiptHolder):
        return redirect("harms:status")
    return redirect("harms:detail", pk=report.pk)


@require_POST
def message(request, pk):
    report = get_object_or_404(HarmReport, pk=pk)
    actor = _actor_for(request, report)
    cls = forms.OfficerMessageForm if is_harm_officer(actor) else forms.MessageForm
    form = cls(request.POST, prefix="message")
    if form.is_valid():
        try:
            services.harm_message_post(
                actor=actor,
                report=report,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data.get("internal", False),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your message was sent."))
    else:
        messages.error(request, _("Write a message of at most 5000 characters."))
    return _back(actor, report)


@require_POST
def appeal(request, pk):
    report = get_object_or_404(HarmReport, pk=pk)
    actor = _actor_for(request, report)
    form = forms.AppealForm(request.POST, prefix="appeal")
    if form.is_valid():
        try:
            services.harm_report_appeal(
                actor=actor, report=report, grounds=form.cleaned_data["grounds"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your appeal was received; the case is open again."))
    else:
        messages.error(request, _("Tell us why you disagree with the decision."))
    return _back(actor, report)


@require_POST
def redress_answer(request, pk, answer):
    if answer not in ("accept", "decline"):
        raise Http404
    action = get_object_or_404(RedressAction.objects.select_related("report"), pk=pk)
    actor = _actor_for(request, action.report)
    form = forms.RedressAnswerForm(request.POST, prefix="answer")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    service = services.redress_accept if answer == "accept" else services.redress_decline
    try:
        service(actor=actor, action=action, note=note)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your answer was recorded."))
    return _back(actor, action.report)


@require_POST
def redress_payment_details(request, pk):
    """The reporter gives bank details for accepted financial support (status page)."""
    action = get_object_or_404(RedressAction.objects.select_related("report"), pk=pk)
    actor = _actor_for(request, action.report)
    form = forms.PaymentDetailsForm(request.POST, prefix="payment")
    if form.is_valid():
        try:
            services.redress_payment_details_give(actor=actor, action=action, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Your payment details were received. Only the harm panel can read them; "
                    "it will tell you when the money is paid."
                ),
            )
        return _back(actor, action.report)
    if isinstance(actor, ReceiptHolder):
        report, by_code = _receipt_report(request), True
    elif is_harm_officer(actor):
        raise PermissionDenied
    else:
        report, by_code = selectors.harm_report_for(actor, action.report_id), False
    return render(
        request,
        "harms/status.html",
        _reporter_context(report, actor, by_code=by_code, payment_form=form, payment_for=action.pk),
        status=400,
    )


@login_required
def redress_detail(request, pk):
    """A redress action for whoever must deliver it (officers; custodians for data requests)."""
    action = get_object_or_404(RedressAction.objects.select_related("report", "dataset"), pk=pk)
    if not can_complete_data_request(request.user, action):
        raise Http404
    return render(
        request,
        "harms/redress_detail.html",
        {
            "action": action,
            "form": forms.DeliverForm(prefix="deliver"),
            "moves": rules.moves(rules.REDRESS, request.user, action),
        },
    )


@login_required
@require_POST
def redress_withdraw(request, pk):
    """The panel withdraws an undelivered offer; reserved money goes back to the fund."""
    action = get_object_or_404(RedressAction.objects.select_related("report"), pk=pk)
    if not is_harm_officer(request.user):
        raise Http404
    form = forms.ReasonForm(request.POST, prefix="withdraw")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.redress_withdraw(actor=request.user, action=action, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The offer was withdrawn."))
    return redirect("harms:detail", pk=action.report_id)


@login_required
@require_POST
def redress_deliver(request, pk):
    action = get_object_or_404(RedressAction.objects.select_related("report", "dataset"), pk=pk)
    if not can_complete_data_request(request.user, action):
        raise Http404
    form = forms.DeliverForm(request.POST, prefix="deliver")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.redress_deliver(actor=request.user, action=action, note=note)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery was recorded."))
    if is_harm_officer(request.user):
        return redirect("harms:detail", pk=action.report_id)
    return redirect("harms:redress", pk=action.pk)


@login_required
def attachment(request, pk):
    item = get_object_or_404(HarmAttachment.objects.select_related("report"), pk=pk)
    # Files may reveal who the reporter is: harm officers only, not auditors.
    if not can_see_reporter_identity(request.user):
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=item.name, content_type=item.content_type
    )


# The chair


@login_required
def recommendations(request):
    if not can_decide_suspension(request.user):
        raise PermissionDenied
    return render(
        request,
        "harms/recommendations.html",
        {
            "recommendations": selectors.suspension_recommendations_open(),
            "form": forms.ReasonForm(),
            "harm_reviews": harm_reviews_open(),
        },
    )


@login_required
@require_POST
def harm_review_close_view(request, pk):
    """The chair closes a harm review opened by the threshold, with its outcome."""
    if not can_decide_suspension(request.user):
        raise PermissionDenied
    review = get_object_or_404(HarmReview, pk=pk)
    try:
        outcome = request.POST.get("outcome", "")
        harm_review_close(actor=request.user, review=review, outcome=outcome)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The harm review was closed."))
    return redirect("harms:recommendations")


@login_required
@require_POST
def recommendation_decide(request, pk, decision):
    if decision not in ("suspend", "dismiss"):
        raise Http404
    if not can_decide_suspension(request.user):
        raise PermissionDenied
    rec = get_object_or_404(Recommendation, pk=pk)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "suspend":
            services.suspension_recommendation_execute(
                actor=request.user, recommendation=rec, reason=reason
            )
            messages.success(request, _("The project was suspended."))
        else:
            services.suspension_recommendation_dismiss(
                actor=request.user, recommendation=rec, reason=reason
            )
            messages.success(request, _("The recommendation was dismissed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("harms:recommendations")
