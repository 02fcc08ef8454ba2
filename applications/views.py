"""HTML views: thin — load what the user may see, validate the form, call the service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from solidarity.errors import DomainError
from solidarity.pagination import paginate

from . import permissions as perms
from . import selectors, services
from .activation import detail_links, missing_for_activation
from .forms import (
    FIELD_STEP,
    STEP_NAMES,
    STEPS,
    DecisionForm,
    DiffForm,
    NewApplicationForm,
    QueueFilterForm,
    ReasonForm,
    RequestFilterForm,
)
from .models import (
    Application,
    ApplicationState,
    Attachment,
    Beneficiary,
    DatasetRequest,
    TeamMember,
)
from .versioning import diff

S = ApplicationState
PAGE_SIZE = 25


def _field_errors_to_form(form, exc: DomainError) -> None:
    if not exc.field_errors:
        form.add_error(None, exc.message)
    for field, errors in exc.field_errors.items():
        form.add_error(field if field in form.fields else None, errors)


def _detail_url(application) -> str:
    return reverse("applications:detail", args=[application.pk])


# ---- lists ------------------------------------------------------------------------------


@login_required
def my_applications(request):
    """The applicant's own applications: state, what is awaited and from whom."""
    page = paginate(request, selectors.my_applications(request.user), PAGE_SIZE)
    rows = [(a, *selectors.awaited(a)) for a in page.object_list]
    return render(
        request,
        "applications/mine.html",
        {"page": page, "rows": rows, "can_create": perms.can_create_application(request.user)},
    )


@login_required
def queue(request):
    """The secretariat's queue of submitted applications, filtered, sorted and paginated."""
    if not perms.can_see_queue(request.user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.application_queue(
        request.user,
        state=filters.get("state") or "",
        dataset=filters.get("dataset"),
        custodian=filters.get("custodian"),
        older_than_days=filters.get("older_than"),
        sort=filters.get("sort") or "submitted",
    )
    page = paginate(request, qs, PAGE_SIZE)
    rows = [(a, *selectors.awaited(a)) for a in page.object_list]
    return render(
        request,
        "applications/queue.html",
        {"form": form, "page": page, "rows": rows, "counts": selectors.queue_counts(request.user)},
    )


@login_required
def custodian_requests(request):
    """The requests for the datasets of the custodian's own organisation, and nothing else."""
    if not request.user.has_role("custodian"):
        raise PermissionDenied
    form = RequestFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    qs = selectors.custodian_requests(request.user, state=state)
    page = paginate(request, qs, PAGE_SIZE)
    return render(request, "applications/requests.html", {"form": form, "page": page})


# ---- one application --------------------------------------------------------------------


ACTIONS = {
    # name: (service, text keyword, label, help, button, predicate for showing it)
    "submit": (services.application_submit, None, "", "", gettext_lazy("Submit"), perms.can_submit),
    "withdraw": (
        services.application_withdraw,
        None,
        "",
        "",
        gettext_lazy("Withdraw the application"),
        perms.can_withdraw,
    ),
    "accept": (
        services.application_accept,
        None,
        "",
        "",
        gettext_lazy("Accept into review"),
        perms.can_accept,
    ),
    "request-revision": (
        services.application_request_revision,
        "message",
        gettext_lazy("What must be revised"),
        gettext_lazy("The applicant sees this message."),
        gettext_lazy("Request a revision"),
        perms.can_request_revision,
    ),
    "reject": (
        services.application_reject,
        "reason",
        gettext_lazy("Reason for the rejection"),
        gettext_lazy("At screening: why the application is out of scope."),
        gettext_lazy("Reject"),
        perms.can_reject,
    ),
    "await-decision": (
        services.application_mark_awaiting_decision,
        None,
        "",
        "",
        gettext_lazy("Put forward for decision"),
        perms.can_mark_awaiting_decision,
    ),
    "suspend": (
        services.application_suspend,
        "reason",
        gettext_lazy("Reason for the suspension"),
        "",
        gettext_lazy("Suspend the project"),
        lambda u, a: perms.can_govern_project(u, a) and a.state == S.ACTIVE,
    ),
    "reinstate": (
        services.application_reinstate,
        None,
        "",
        "",
        gettext_lazy("Reinstate the project"),
        lambda u, a: perms.can_govern_project(u, a) and a.state == S.SUSPENDED,
    ),
    "revoke": (
        services.application_revoke,
        "reason",
        gettext_lazy("Reason for the revocation"),
        gettext_lazy("Access ends for good."),
        gettext_lazy("Revoke access"),
        lambda u, a: perms.can_govern_project(u, a) and a.state in (S.ACTIVE, S.SUSPENDED),
    ),
    "close": (
        services.application_close,
        "final_report",
        gettext_lazy("Final report"),
        gettext_lazy("What the project did and found, and what happened to the data."),
        gettext_lazy("Close the project"),
        perms.can_close,
    ),
    "amend": (
        services.application_amend,
        "reason",
        gettext_lazy("What the amendment changes and why"),
        gettext_lazy(
            "The project goes back through review as a new version; access pauses meanwhile."
        ),
        gettext_lazy("Ask for an amendment"),
        perms.can_amend,
    ),
    "copy": (
        services.application_copy,
        None,
        "",
        "",
        gettext_lazy("Copy as a new draft"),
        perms.can_copy,
    ),
}


def available_actions(user, application) -> list[dict]:
    found = []
    for name, (_service, keyword, label, help_text, button, allowed) in ACTIONS.items():
        if allowed(user, application):
            found.append(
                {
                    "name": name,
                    "url": reverse("applications:action", args=[application.pk, name]),
                    "button": button,
                    "form": ReasonForm(label=label, help_text=help_text) if keyword else None,
                    "danger": name in ("withdraw", "reject", "revoke", "suspend"),
                }
            )
    return found


@login_required
def detail(request, pk):
    application = selectors.application_detail(request.user, pk)
    user = request.user
    managed = set()
    if user.has_role("custodian"):
        from solidarity.catalog.selectors import datasets_managed_by

        managed = set(datasets_managed_by(user).values_list("pk", flat=True))
    requests = list(application.dataset_requests.all())
    selectors.redact_other_custodians_decisions(user, application, requests)
    context = {
        "application": application,
        "awaited": selectors.awaited(application),
        "conflicts": selectors.consent_conflicts(application),
        "requests": requests,
        "decidable": {
            r.pk
            for r in requests
            if r.dataset_id in managed
            and r.state == DatasetRequest.State.PENDING
            and perms.dataset_request_open_for_decision(r)
        },
        "versions": sorted(application.versions.all(), key=lambda v: v.number),
        "timeline": selectors.application_timeline(application),
        "beneficiaries": [
            labels.get(b, b)
            for labels in [dict(Beneficiary.choices)]
            for b in application.beneficiaries or []
        ],
        "actions": available_actions(user, application),
        "related_links": detail_links(user, application),
        "can_edit": perms.can_edit_application(user, application),
        "missing": (missing_for_activation(application) if application.state == S.APPROVED else []),
        "problems": (
            services.submission_problems(application)
            if perms.can_edit_application(user, application)
            else []
        ),
    }
    return render(request, "applications/detail.html", context)


@method_decorator(login_required, name="dispatch")
class ActionView(View):
    """GET shows the confirmation (with its text box); POST runs the service."""

    def _setup(self, request, pk, name):
        if name not in ACTIONS:
            raise Http404
        application = selectors.application_detail(request.user, pk)
        return application, ACTIONS[name]

    def _form(self, spec, data=None):
        _service, keyword, label, help_text, _button, _allowed = spec
        return ReasonForm(data, label=label, help_text=help_text) if keyword else None

    def _render(self, request, application, name, spec, form, status=200):
        return render(
            request,
            "applications/action.html",
            {"application": application, "name": name, "button": spec[4], "form": form},
            status=status,
        )

    def get(self, request, pk, name):
        application, spec = self._setup(request, pk, name)
        return self._render(request, application, name, spec, self._form(spec))

    def post(self, request, pk, name):
        application, spec = self._setup(request, pk, name)
        service, keyword = spec[0], spec[1]
        form = self._form(spec, request.POST)
        kwargs = {}
        if form is not None:
            if not form.is_valid():
                return self._render(request, application, name, spec, form, status=400)
            kwargs[keyword] = form.cleaned_data["text"]
        try:
            result = service(actor=request.user, application=application, **kwargs)
        except DomainError as exc:
            if name == "submit" and exc.field_errors:
                messages.error(request, exc.message)
                return redirect("applications:edit", pk=application.pk, step="check")
            if form is not None and exc.field_errors:
                form.add_error("text", exc.message)
                return self._render(request, application, name, spec, form, status=400)
            messages.error(request, exc.message)
            return redirect(_detail_url(application))
        if name == "copy":
            messages.success(request, _("A new draft was made from this application."))
            return redirect("applications:edit", pk=result.pk, step="summary")
        messages.success(request, _("Done: %(action)s.") % {"action": spec[4]})
        return redirect(_detail_url(application))


# ---- filing -----------------------------------------------------------------------------


@method_decorator(login_required, name="dispatch")
class CreateView(View):
    def get(self, request):
        if not perms.can_create_application(request.user):
            raise PermissionDenied
        return render(request, "applications/new.html", {"form": NewApplicationForm()})

    def post(self, request):
        if not perms.can_create_application(request.user):
            raise PermissionDenied
        form = NewApplicationForm(request.POST)
        if form.is_valid():
            try:
                application = services.application_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _field_errors_to_form(form, exc)
            else:
                messages.success(request, _("Your draft was saved."))
                return redirect("applications:edit", pk=application.pk, step="summary")
        return render(request, "applications/new.html", {"form": form}, status=400)


@method_decorator(login_required, name="dispatch")
class EditView(View):
    """One step of the application; every step saves the draft, complete or not."""

    def _application(self, request, pk, step):
        if step not in STEP_NAMES:
            raise Http404
        application = selectors.application_detail(request.user, pk)
        if not perms.can_edit_application(request.user, application):
            raise PermissionDenied
        return application

    def _form(self, step, application, data=None, files=None):
        form_class = dict((n, f) for n, _label, f in STEPS)[step]
        if form_class is None:
            return None
        if step == "datasets":
            return form_class(data, application=application)
        if step in ("team", "attachments"):
            return form_class(data, files)
        return form_class(data, instance=Application.objects.get(pk=application.pk))

    def _render(self, request, application, step, form, status=200):
        index = STEP_NAMES.index(step)
        context = {
            "application": application,
            "step": step,
            "steps": [(n, label) for n, label, _f in STEPS],
            "step_label": STEPS[index][1],
            "next_step": STEP_NAMES[index + 1] if index + 1 < len(STEP_NAMES) else None,
            "form": form,
            "multipart": step == "attachments",
        }
        if step in ("datasets", "check", "purpose"):
            context["conflicts"] = selectors.consent_conflicts(application)
        if step == "check":
            context["problems"] = [
                (field, message, FIELD_STEP.get(field, "summary"))
                for field, message in services.submission_problems(application)
            ]
        return render(request, "applications/edit.html", context, status=status)

    def get(self, request, pk, step):
        application = self._application(request, pk, step)
        return self._render(request, application, step, self._form(step, application))

    def post(self, request, pk, step):
        application = self._application(request, pk, step)
        form = self._form(step, application, request.POST, request.FILES)
        if form is None:
            raise Http404
        if not form.is_valid():
            return self._render(request, application, step, form, status=400)
        data = form.cleaned_data
        try:
            if step == "team":
                services.application_team_member_add(
                    actor=request.user, application=application, **data
                )
            elif step == "datasets":
                services.application_dataset_add(
                    actor=request.user, application=application, **data
                )
            elif step == "attachments":
                services.application_attachment_add(
                    actor=request.user,
                    application=application,
                    kind=data["kind"],
                    uploaded_file=data["file"],
                )
            else:
                services.application_update_draft(
                    actor=request.user, application=application, **data
                )
        except DomainError as exc:
            _field_errors_to_form(form, exc)
            return self._render(request, application, step, form, status=400)
        messages.success(request, _("Saved."))
        if step in ("team", "datasets", "attachments") or "stay" in request.POST:
            return redirect("applications:edit", pk=application.pk, step=step)
        index = STEP_NAMES.index(step)
        return redirect("applications:edit", pk=application.pk, step=STEP_NAMES[index + 1])


def _remove(request, pk, model, item_pk, service, keyword, step):
    application = selectors.application_detail(request.user, pk)
    item = get_object_or_404(model, pk=item_pk, application=application)
    try:
        service(actor=request.user, **{keyword: item})
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Removed."))
    return redirect("applications:edit", pk=application.pk, step=step)


@login_required
@require_POST
def team_remove(request, pk, item_pk):
    return _remove(
        request, pk, TeamMember, item_pk, services.application_team_member_remove, "member", "team"
    )


@login_required
@require_POST
def dataset_remove(request, pk, item_pk):
    return _remove(
        request,
        pk,
        DatasetRequest,
        item_pk,
        services.application_dataset_remove,
        "dataset_request",
        "datasets",
    )


@login_required
@require_POST
def attachment_remove(request, pk, item_pk):
    return _remove(
        request,
        pk,
        Attachment,
        item_pk,
        services.application_attachment_remove,
        "attachment",
        "attachments",
    )


@login_required
def attachment_download(request, pk, item_pk):
    """Stream a stored file, only to those who may see the application."""
    application = selectors.application_detail(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=item_pk, application=application)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- versions ---------------------------------------------------------------------------


@login_required
def versions(request, pk):
    """The frozen versions, and a readable diff between any two of them."""
    application = selectors.application_detail(request.user, pk)
    all_versions = list(selectors.versions_of(application))
    numbers = [v.number for v in all_versions]
    initial = {}
    if len(numbers) >= 2:
        initial = {"old": numbers[-2], "new": numbers[-1]}
    form = DiffForm(request.GET or None, initial=initial)
    changes = old = new = None
    if form.is_bound and form.is_valid():
        by_number = {v.number: v for v in all_versions}
        old = by_number.get(form.cleaned_data["old"])
        new = by_number.get(form.cleaned_data["new"])
        if old is None or new is None:
            form.add_error(None, _("There is no such version."))
        else:
            changes = diff(old.content, new.content)
    return render(
        request,
        "applications/versions.html",
        {
            "application": application,
            "versions": all_versions,
            "form": form,
            "changes": changes,
            "old": old,
            "new": new,
        },
    )


# ---- custodian decision -----------------------------------------------------------------


@method_decorator(login_required, name="dispatch")
class DecideView(View):
    def _request(self, request, pk):
        dataset_request = selectors.dataset_request_detail(request.user, pk)
        if not perms.can_decide_dataset_request(request.user, dataset_request):
            raise PermissionDenied
        return dataset_request

    def _render(self, request, dataset_request, form, status=200):
        application = dataset_request.application
        return render(
            request,
            "applications/decide.html",
            {
                "dr": dataset_request,
                "application": application,
                "form": form,
                "conflicts": [
                    c
                    for c in selectors.consent_conflicts(application)
                    if c.dataset.pk == dataset_request.dataset_id
                ],
                "open": perms.dataset_request_open_for_decision(dataset_request)
                and dataset_request.state == DatasetRequest.State.PENDING,
            },
            status=status,
        )

    def get(self, request, pk):
        dataset_request = self._request(request, pk)
        return self._render(request, dataset_request, DecisionForm())

    def post(self, request, pk):
        dataset_request = self._request(request, pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self._render(request, dataset_request, form, status=400)
        data = form.cleaned_data
        try:
            if data["decision"] == "grant":
                services.dataset_request_grant(
                    actor=request.user,
                    dataset_request=dataset_request,
                    reason=data["reason"],
                    conditions=data["conditions"],
                )
            else:
                services.dataset_request_decline(
                    actor=request.user, dataset_request=dataset_request, reason=data["reason"]
                )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("applications:decide", pk=dataset_request.pk)
        messages.success(request, _("Your decision was recorded."))
        return redirect("applications:requests")
