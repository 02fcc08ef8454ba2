"""HTML views: thin — load what the user may see, validate the form, call the service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import timesince_filter
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.http import require_POST

from solidarity.errors import DomainError
from solidarity.listing import date_text, interpolate, pk_url
from solidarity.pagination import paginate

from . import permissions as perms
from . import rules, selectors, services
from .activation import detail_links, missing_for_activation
from .forms import (
    FIELD_STEP,
    STEP_NAMES,
    STEPS,
    AcknowledgeConflictForm,
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
    qs = selectors.my_applications(request.user).only(*selectors.ROW_FIELDS)
    page = paginate(request, qs, PAGE_SIZE)
    detail_url = pk_url("applications:detail")
    rows = []
    for a in page.object_list:
        what, who = selectors.awaited(a)
        rows.append(
            {
                "a": a,
                "url": detail_url(a.pk),
                "state": a.get_state_display(),
                "what": what,
                "who": who,
                "updated": date_text(a.updated_at, "SHORT_DATE_FORMAT"),
            }
        )
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
    state = filters.get("state") or ""
    narrowing = {
        "dataset": filters.get("dataset"),
        "custodian": filters.get("custodian"),
        "older_than_days": filters.get("older_than"),
        "q": filters.get("q") or "",
    }
    qs = selectors.application_queue(
        request.user, state=state, sort=filters.get("sort") or "submitted", **narrowing
    ).only(*selectors.ROW_FIELDS)
    counts = selectors.queue_counts(request.user)
    # The counts per state are the list's own count when no other filter narrows it.
    known = selectors.queue_total(
        counts, state=state, narrowed=any(v not in (None, "") for v in narrowing.values())
    )
    page = paginate(request, qs, PAGE_SIZE, known=known)
    detail_url = pk_url("applications:detail")
    rows = []
    for a in page.object_list:
        what, who = selectors.awaited(a)
        total, pending = a.datasets_total, a.datasets_pending
        datasets = interpolate(
            ngettext("%(counter)s dataset", "%(counter)s datasets", total), counter=total
        )
        if pending:
            datasets = format_html("{}, {}", datasets, interpolate(_("%(n)s pending"), n=pending))
        rows.append(
            {
                "a": a,
                "url": detail_url(a.pk),
                "state": a.get_state_display(),
                "datasets": datasets,
                "submitted_iso": date_text(a.submitted_at, "c"),
                "submitted": date_text(a.submitted_at, "SHORT_DATE_FORMAT"),
                "age": interpolate(_("%(age)s ago"), age=timesince_filter(a.submitted_at)),
                "what": what,
                "who": who,
            }
        )
    return render(
        request,
        "applications/queue.html",
        {"form": form, "page": page, "rows": rows, "counts": counts},
    )


@login_required
def custodian_requests(request):
    """The requests for the datasets of the custodian's own organisation, and nothing else."""
    if not request.user.has_role("custodian"):
        raise PermissionDenied
    form = RequestFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    # Only the columns the rows show (not the justification, the variables or the decision).
    qs = (
        selectors.custodian_requests(request.user, state=state)
        .select_related(None)
        .select_related("application__applicant", "application__organisation", "dataset")
        .only(
            "id",
            "state",
            "access_mode",
            "dataset__title",
            *(f"application__{field}" for field in selectors.ROW_FIELDS),
        )
    )
    page = paginate(request, qs, PAGE_SIZE)
    detail_url = pk_url("applications:detail")
    decide_url = pk_url("applications:decide")
    rows = [
        {
            "r": r,
            "url": detail_url(r.application_id),
            "access_mode": r.get_access_mode_display(),
            "application_state": r.application.get_state_display(),
            "decide": (
                {
                    "url": decide_url(r.pk),
                    "text": interpolate(_("Decide on %(title)s"), title=r.dataset.title),
                }
                if r.state == "pending"
                else None
            ),
            "state": r.get_state_display(),
        }
        for r in page.object_list
    ]
    return render(request, "applications/requests.html", {"form": form, "page": page, "rows": rows})


# ---- one application --------------------------------------------------------------------


def _action_form(transition, data=None):
    if not transition.needs_text:
        return None
    return ReasonForm(data, label=transition.text_label, help_text=transition.text_help)


def available_actions(user, application) -> list[dict]:
    """The moves of the rulebook this user may make now, as buttons (with their text box)."""
    return [
        {
            "name": t.name,
            "url": reverse("applications:action", args=[application.pk, t.name]),
            "button": t.label,
            "form": _action_form(t),
            "danger": t.irreversible,
            "confirm": t.irreversible,
        }
        for t in rules.APPLICATION.available(user, application)
    ]


@login_required
def detail(request, pk):
    return detail_page(request, selectors.application_detail(request.user, pk))


def detail_page(request, application, *, forms=None, status=200):
    """The application's page; ``forms`` replaces the team's or the conversation's forms (bound,
    with their errors) when a post from this page is refused."""
    from .collaboration_views import collaboration_context

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
        "conflicts": _conflicts_with_forms(user, application),
        "requests": requests,
        "decidable": {
            r.pk
            for r in requests
            if r.dataset_id in managed and rules.DATASET_REQUEST.in_source_state("grant", r)
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
        **collaboration_context(request, application, forms or {}),
    }
    # The team's answer to a revision request stands beside the version that followed it.
    for version in context["versions"]:
        version.answers = context["revision_answers"].get(version.number - 1, [])
    return render(request, "applications/detail.html", context, status=status)


def _conflicts_with_forms(user, application, *, dataset_id=None):
    """The consent conflicts with their acknowledgements, and for each the parties this user
    may still acknowledge it for (each a small form on the page)."""
    from .services.acknowledgements import may_acknowledge

    conflicts = selectors.consent_conflicts_with_acknowledgements(application)
    if dataset_id is not None:
        conflicts = [c for c in conflicts if c.dataset.pk == dataset_id]
    for conflict in conflicts:
        conflict.forms = [
            AcknowledgeConflictForm(
                initial={"dataset": conflict.dataset.pk, "term": conflict.term, "party": party},
                prefix=f"ack-{conflict.dataset.pk}-{conflict.term}-{party}".replace(":", ""),
            )
            for party in ("committee", "custodian")
            if conflict.by(party) is None
            and may_acknowledge(user, application, party, conflict.dataset)
        ]
    return conflicts


@login_required
@require_POST
def acknowledge_conflict(request, pk):
    """The chair (for the committee) or the dataset's custodian acknowledges a conflict."""
    application = selectors.application_detail(request.user, pk)
    form = AcknowledgeConflictForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        dataset = application.dataset_requests.filter(dataset_id=data["dataset"]).first()
        if dataset is None:
            raise Http404
        try:
            services.consent_conflict_acknowledge(
                actor=request.user,
                application=application,
                dataset=dataset.dataset,
                term=data["term"],
                party=data["party"],
                reason=data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
        else:
            messages.success(request, _("The consent conflict was acknowledged."))
            back = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = _detail_url(application)
            return redirect(back)
    else:
        messages.error(request, _("Write the reason the use may proceed."))
        status = 400
    context = {
        "application": application,
        "conflicts": _conflicts_with_forms(request.user, application),
        "ack_error": True,
    }
    return render(request, "applications/acknowledge.html", context, status=status)


@method_decorator(login_required, name="dispatch")
class ActionView(View):
    """GET shows the confirmation page (with its text box and, for an irreversible move, what
    will happen); POST runs the service. Every move is one of the rulebook's."""

    def _setup(self, request, pk, name):
        if name not in services.TRANSITION_SERVICES:
            raise Http404
        application = selectors.application_detail(request.user, pk)
        if not rules.APPLICATION.may_actor(name, request.user, application):
            raise PermissionDenied
        return application, rules.APPLICATION[name]

    def _render(self, request, application, transition, form, status=200):
        return render(
            request,
            "applications/action.html",
            {
                "application": application,
                "name": transition.name,
                "button": transition.label,
                "transition": transition,
                "form": form,
            },
            status=status,
        )

    def get(self, request, pk, name):
        application, transition = self._setup(request, pk, name)
        return self._render(request, application, transition, _action_form(transition))

    def post(self, request, pk, name):
        application, transition = self._setup(request, pk, name)
        service = services.TRANSITION_SERVICES[name]
        form = _action_form(transition, request.POST)
        if transition.irreversible and not rules.APPLICATION.allows(
            name, request.user, application
        ):
            messages.error(request, _("This is not possible now."))
            return redirect(_detail_url(application))
        if transition.irreversible and request.POST.get("confirm") != "yes":
            # An irreversible move is made only from its confirmation page, which says what
            # will happen (no script needed): anything else shows that page first.
            form = _action_form(transition, request.POST if request.POST.get("text") else None)
            return self._render(request, application, transition, form)
        kwargs = {}
        if form is not None:
            if not form.is_valid():
                return self._render(request, application, transition, form, status=400)
            kwargs[transition.text] = form.cleaned_data["text"]
        try:
            result = service(actor=request.user, application=application, **kwargs)
        except DomainError as exc:
            if name == "submit" and exc.field_errors:
                messages.error(request, exc.message)
                return redirect("applications:edit", pk=application.pk, step="check")
            if form is not None and exc.field_errors:
                form.add_error("text", exc.message)
                return self._render(request, application, transition, form, status=400)
            messages.error(request, exc.message)
            return redirect(_detail_url(application))
        if name == "copy":
            messages.success(request, _("A new draft was made from this application."))
            return redirect("applications:edit", pk=result.pk, step="summary")
        messages.success(request, done_message(name, result, application))
        return redirect(_detail_url(application))


def done_message(name: str, result, application) -> str:
    """What an action did, in a sentence ("Application DSA-2026-0004 submitted as version 2")."""
    app = result if isinstance(result, type(application)) else application
    app.refresh_from_db()
    ref = app.reference or app.title
    texts = {
        "submit": _("Application %(ref)s submitted as version %(n)s; the secretariat was told."),
        "withdraw": _("Application %(ref)s withdrawn."),
        "accept": _("Application %(ref)s accepted into review; the applicant was told."),
        "request-revision": _("Revision of %(ref)s requested; the applicant was told."),
        "reject": _("Application %(ref)s rejected; the applicant was told why."),
        "await-decision": _("Application %(ref)s put forward for decision; the chair was told."),
        "suspend": _("Project %(ref)s suspended; the applicant was told."),
        "reinstate": _("Project %(ref)s reinstated; the applicant was told."),
        "revoke": _("Project %(ref)s revoked; the applicant was told."),
        "close": _("Project %(ref)s closed with its final report."),
        "amend": _("Amendment of %(ref)s opened: edit the application and submit it again."),
    }
    text = texts.get(name, _("%(ref)s: %(state)s."))
    return text % {"ref": ref, "n": app.current_version, "state": app.get_state_display()}


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
    from .collaboration import revision_answers

    application = selectors.application_detail(request.user, pk)
    all_versions = list(selectors.versions_of(application))
    # Beside each version, the team's answer to the revision request that preceded it.
    answers = revision_answers(request.user, application)
    for version in all_versions:
        version.answers = answers.get(version.number - 1, [])
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
                "conflicts": _conflicts_with_forms(
                    request.user, application, dataset_id=dataset_request.dataset_id
                ),
                "next": request.path,
                "open": rules.DATASET_REQUEST.in_source_state("grant", dataset_request),
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
