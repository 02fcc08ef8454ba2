"""HTML pages of the committee's work: thin views over the services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from applications.models import ApplicationState
from solidarity.errors import DomainError
from solidarity.listing import date_text, interpolate, labels, pk_url
from solidarity.pagination import paginate

from . import forms, permissions, selectors, services
from .models import Assignment, AssignmentState, ConditionState, RiskItem
from .rules import CONDITION
from .services.committee import default_quorum


def _application(user, pk):
    """The application if the user may see it at all; 404 otherwise (never reveal it)."""
    from applications.selectors import applications_visible_to

    application = (
        applications_visible_to(user)
        .select_related("applicant", "organisation")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def _apply(form, exc: DomainError) -> None:
    if hasattr(form, "add_service_errors"):
        form.add_service_errors(exc.field_errors)
    else:
        for key, errors in exc.field_errors.items():
            form.add_error(key if key in form.fields else None, errors)
    if not exc.field_errors:
        form.add_error(None, exc.message)


# ---- dashboards --------------------------------------------------------------------------


@login_required
def my_assignments(request):
    if not request.user.has_role("reviewer", "chair"):
        raise PermissionDenied
    qs = selectors.assignments_for_reviewer(request.user).only(
        "id", "role", "due_on", "state", "application__reference", "application__title"
    )
    page = paginate(request, qs, 25)
    assignment_url = pk_url("reviews:assignment")
    rows = [
        {
            "a": a,
            "url": assignment_url(a.pk),
            "role": a.get_role_display(),
            "due": date_text(a.due_on),
            "state": a.get_state_display(),
        }
        for a in page.object_list
    ]
    return render(request, "reviews/my_assignments.html", {"page": page, "rows": rows})


@login_required
def history(request):
    if not request.user.has_role("reviewer", "chair"):
        raise PermissionDenied
    page = paginate(request, selectors.reviewer_history(request.user), 25)
    return render(request, "reviews/history.html", {"page": page})


def _committee_queue_rows(rows, *, can_assign: bool, may_assign_one: bool) -> list[SafeString]:
    """The committee queue's table rows, written here once per page: the labels translated
    once, the addresses reversed once, each value escaped as the template would."""
    esc = conditional_escape
    committee_url = pk_url("reviews:committee")
    assign_url = pk_url("reviews:assign") if may_assign_one else None
    states = labels(ApplicationState.choices)
    select = _("Select %(ref)s")
    by_chair = f' <span class="tag">{esc(_("set by the chair"))}</span>'
    committee_view = esc(_("Committee view"))
    assign_reviewers = esc(_("Assign reviewers"))
    shown = []
    for row in rows:
        application = row.application
        pk = int(application.pk)
        pick = ""
        if can_assign:
            ref = interpolate(select, ref=application.reference)
            pick = (
                f'<td><input type="checkbox" name="applications" value="{pk}" '
                f'form="bulk-assign" id="pick-{pk}" aria-label="{esc(ref)}"></td>'
            )
        recused = ""
        if row.recused:
            text = ngettext("%(n)s recused", "%(n)s recused", row.recused)
            recused = f" ({esc(interpolate(text, n=row.recused))})"
        classification = row.classification
        links = f'<a href="{committee_url(pk)}">{committee_view}</a>'
        if assign_url:
            links += f' · <a href="{assign_url(pk)}">{assign_reviewers}</a>'
        state = states.get(application.state, application.state)
        shown.append(
            mark_safe(  # noqa: S308 -- every value below is escaped
                f"\n    <tr>{pick}<td>{esc(application.reference or '—')}: "
                f"{esc(application.title)}</td>\n"
                f"    <td>{esc(state)}</td>\n"
                f"    <td>{int(row.assigned)}{recused}</td>\n"
                f"    <td>{int(row.filed)}</td>\n"
                f"    <td>{esc(classification.effective_type or '—')}"
                f"{by_chair if classification.is_overridden else ''}</td>\n"
                f"    <td>{links}</td></tr>\n  "
            )
        )
    return shown


@login_required
def queue(request):
    if not permissions.can_see_committee_queue(request.user):
        raise PermissionDenied
    form = forms.QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.committee_queue(
        state=filters.get("state", ""),
        use_type=filters.get("use_type", ""),
        q=filters.get("q", ""),
    )
    page = paginate(request, rows, 25)
    can_assign = permissions.can_assign(request.user)
    may_assign_one = request.user.has_role("secretariat", "chair")
    rows = _committee_queue_rows(
        page.object_list, can_assign=can_assign, may_assign_one=may_assign_one
    )
    return render(
        request,
        "reviews/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "bulk_form": forms.AssignmentForm(prefix="bulk") if can_assign else None,
        },
    )


@login_required
@require_POST
def queue_bulk_assign(request):
    """Assign one reviewer to the applications ticked on the committee queue: each through
    the assignment service in its own transaction; the page says what succeeded and what was
    refused, and why. Bad input re-renders the form with its errors."""
    from solidarity.api import int_param

    from .bulk import BULK_LIMIT, assignments_create_bulk

    if not permissions.can_assign(request.user):
        raise PermissionDenied
    form = forms.AssignmentForm(request.POST, prefix="bulk")
    raw = request.POST.getlist("applications")[: BULK_LIMIT + 1]
    ids = [pk for pk in (int_param(v) for v in raw) if pk]
    result = None
    if not ids or len(ids) > BULK_LIMIT:
        form.is_valid()
        form.add_error(None, _("Choose between 1 and %(n)s applications.") % {"n": BULK_LIMIT})
    elif form.is_valid():
        try:
            result = assignments_create_bulk(
                actor=request.user, application_ids=ids, **form.cleaned_data
            )
        except DomainError as exc:
            _apply(form, exc)
    status = 200 if result is not None else 400
    return render(
        request,
        "reviews/bulk_assign.html",
        {"form": form, "ids": ids, "result": result},
        status=status,
    )


@login_required
def framework(request):
    framework = selectors.default_framework()
    if framework is None:
        raise Http404
    return render(request, "reviews/framework.html", {"framework": framework})


# ---- the applicant's self-assessment ----------------------------------------------------


@login_required
def self_assessment(request, pk):
    application = _application(request.user, pk)
    if application.applicant_id != request.user.pk:
        raise Http404
    existing = application.assessments.filter(kind="self").first()
    try:
        framework = services.framework_loaded(existing.framework_id if existing else None)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("applications:detail", pk=pk)
    answers = existing.answers_by_question() if existing else {}
    editable = permissions.can_self_assess(request.user, application)
    form = forms.FrameworkAnswersForm(
        request.POST or None,
        framework=framework,
        answers=answers,
        other_texts=existing.other_texts_by_question() if existing else {},
        initial={"comments": existing.comments if existing else ""},
        require_other=True,
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.self_assessment_save(
                    actor=request.user,
                    application=application,
                    answers=form.answers(),
                    comments=form.cleaned_data.get("comments", ""),
                    other=form.other_answers(),
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Your self-assessment was saved."))
                return redirect("reviews:self-assessment", pk=pk)
    result = None
    if existing:
        from . import scoring

        result = scoring.score_answers(framework.specs(), answers)
    return render(
        request,
        "reviews/self_assessment.html",
        {
            "application": application,
            "framework": framework,
            "form": form,
            "result": result,
            "assessment": existing,
            "editable": editable,
        },
    )


# ---- secretariat: assigning reviewers ----------------------------------------------------


@login_required
def assign(request, pk):
    if not permissions.can_assign(request.user):
        raise PermissionDenied
    application = _application(request.user, pk)
    form = forms.AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(
                actor=request.user, application=application, **form.cleaned_data
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The reviewer was asked to review."))
            return redirect("reviews:assign", pk=pk)
    assignments = (
        Assignment.objects.filter(application=application).select_related("reviewer").order_by("id")
    )
    return render(
        request,
        "reviews/assign.html",
        {"application": application, "form": form, "assignments": assignments},
    )


# ---- the reviewer: conflicts, filing, risks ---------------------------------------------


def _own_assignment(request, pk) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("application", "application__organisation"),
        pk=pk,
        reviewer=request.user,
    )
    return assignment


@login_required
def assignment_detail(request, pk):
    """The short summary and the conflict declaration; a recused reviewer sees no more."""
    assignment = _own_assignment(request, pk)
    form = forms.ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.coi_declare(
                actor=request.user,
                assignment=assignment,
                has_conflict=form.cleaned_data["has_conflict"],
                details=form.cleaned_data.get("details", ""),
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            if form.cleaned_data["has_conflict"]:
                messages.info(request, _("You are recused from this application."))
                return redirect("reviews:assignments")
            messages.success(request, _("Thank you. You may now review the application."))
            return redirect("reviews:assess", pk=pk)
    team = list(assignment.application.team.all())
    return render(
        request,
        "reviews/assignment.html",
        {
            "assignment": assignment,
            "form": form,
            "team": team,
            "moves": _moves(request, assignment),
        },
    )


def _moves(request, assignment) -> set[str]:
    """The assignment moves the rulebook (``reviews.rules.ASSIGNMENT``) offers this user now."""
    from .rules import ASSIGNMENT

    return {t.name for t in ASSIGNMENT.available(request.user, assignment)}


@login_required
def assess(request, pk):
    assignment = _own_assignment(request, pk)
    if assignment.state == AssignmentState.AWAITING_COI:
        messages.info(request, _("Declare your conflicts of interest first."))
        return redirect("reviews:assignment", pk=pk)
    if assignment.state == AssignmentState.RECUSED:
        raise Http404
    application = _application(request.user, assignment.application_id)
    assessment = getattr(assignment, "assessment", None) if _has(assignment) else None
    try:
        framework = services.framework_loaded(assessment.framework_id if assessment else None)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reviews:assignments")
    answers = assessment.answers_by_question() if assessment else {}
    filed = assignment.state == AssignmentState.FILED
    form = forms.FrameworkAnswersForm(
        request.POST or None,
        framework=framework,
        answers=answers,
        other_texts=assessment.other_texts_by_question() if assessment else {},
        initial={"comments": assessment.comments if assessment else ""},
    )
    if request.method == "POST":
        if filed:
            messages.error(request, _("This assessment is filed already."))
            return redirect("reviews:assess", pk=pk)
        if form.is_valid():
            action = request.POST.get("action", "save")
            try:
                if action == "file":
                    services.assessment_file(
                        actor=request.user,
                        assignment=assignment,
                        answers=form.answers(),
                        comments=form.cleaned_data.get("comments", ""),
                        other=form.other_answers(),
                    )
                    messages.success(
                        request, _("Your assessment is filed. You can now see the others'.")
                    )
                    return redirect("reviews:committee", pk=assignment.application_id)
                services.assessment_save_draft(
                    actor=request.user,
                    assignment=assignment,
                    answers=form.answers(),
                    comments=form.cleaned_data.get("comments", ""),
                    other=form.other_answers(),
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Your draft was saved."))
                return redirect("reviews:assess", pk=pk)
    risks = list(assessment.risks.all()) if assessment else []
    result = None
    if assessment:
        from . import scoring

        result = scoring.score_answers(framework.specs(), answers)
    return render(
        request,
        "reviews/assess.html",
        {
            "assignment": assignment,
            "application": application,
            "framework": framework,
            "form": form,
            "risk_form": forms.RiskItemForm(),
            "risks": risks,
            "result": result,
            "filed": filed,
            "recuse_form": forms.RecuseForm(),
            "moves": _moves(request, assignment),
            # What went wrong before with these datasets and organisations, and the harm
            # panel's lessons, while the reviewer weighs the risks (issue 15).
            "harm_history": _harm_history_of(application),
        },
    )


def _harm_history_of(application):
    requests = list(application.dataset_requests.select_related("dataset__custodian"))
    # The organisations the use touches: the datasets' custodians and the applicant's own.
    organisations = {r.dataset.custodian_id: r.dataset.custodian for r in requests}
    if application.organisation_id:
        organisations.setdefault(application.organisation_id, application.organisation_id)
    return selectors.harm_history_for(
        datasets=[r.dataset for r in requests], organisations=list(organisations.values())
    )


def _has(assignment) -> bool:
    try:
        assignment.assessment  # noqa: B018
    except Exception:
        return False
    return True


@login_required
@require_POST
def risk_add(request, pk):
    assignment = _own_assignment(request, pk)
    form = forms.RiskItemForm(request.POST)
    if form.is_valid():
        try:
            services.risk_item_add(actor=request.user, assignment=assignment, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The risk was added to your register."))
    else:
        messages.error(
            request,
            _("The risk was not added: %(errors)s")
            % {
                "errors": "; ".join(
                    f"{form.fields[k].label}: {v[0]}" for k, v in form.errors.items()
                )
            },
        )
    return redirect(reverse("reviews:assess", args=[pk]) + "#risks")


@login_required
@require_POST
def risk_remove(request, pk, risk_pk):
    assignment = _own_assignment(request, pk)
    risk = get_object_or_404(RiskItem, pk=risk_pk, assessment__assignment=assignment)
    try:
        services.risk_item_remove(actor=request.user, risk=risk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The risk was removed."))
    return redirect(reverse("reviews:assess", args=[pk]) + "#risks")


@login_required
@require_POST
def recuse(request, pk):
    assignment = _own_assignment(request, pk)
    form = forms.RecuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Describe the conflict of interest."))
        return redirect("reviews:assess", pk=pk)
    try:
        services.assignment_recuse(
            actor=request.user, assignment=assignment, details=form.cleaned_data["details"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reviews:assess", pk=pk)
    messages.info(request, _("You are recused from this application."))
    return redirect("reviews:assignments")


# ---- the committee view and the chair's actions ----------------------------------------


def _committee_application(request, pk):
    application = _application(request.user, pk)
    assignment = selectors.assignment_of(request.user, application)
    if not permissions.can_view_committee(request.user, application, assignment):
        if assignment is not None and assignment.state == AssignmentState.ACTIVE:
            raise PermissionDenied(_("File your own assessment before you see the others'."))
        raise Http404
    return application, assignment


def _committee_context(request, application, assignment, **overrides):
    view = selectors.committee_view(application, quorum_default=default_quorum())
    user = request.user
    is_chair = permissions.can_decide(user)
    members = None
    if is_chair:
        ids = {c.assignment.reviewer_id for c in view.columns if not c.assignment.is_recused}
        members = forms.committee_members().filter(pk__in=ids | {user.pk})
    voting = permissions.is_voting_member(user, application, [c.assignment for c in view.columns])
    open_for_votes = application.state in permissions.REVIEW_STATES and not view.decided
    context = {
        "application": application,
        "view": view,
        "my_assignment": assignment,
        "is_chair": is_chair,
        "can_vote": voting and open_for_votes,
        "can_set_conditions": permissions.can_set_conditions(user) and not view.decided,
        "can_set_quorum": permissions.can_assign(user) and not view.decided,
        "vote_form": forms.VoteForm(members=members),
        "classification_form": forms.ClassificationForm(
            initial={"use_type": view.classification.effective_type}
        ),
        "decision_form": forms.DecisionForm(),
        "condition_form": forms.ConditionForm(risks=view.risks),
        "quorum_form": forms.QuorumForm(
            initial={"quorum": view.committee.quorum if view.committee else default_quorum()}
        ),
        "open_for_votes": open_for_votes,
    }
    context.update(overrides)
    return context


@login_required
def committee(request, pk):
    application, assignment = _committee_application(request, pk)
    return render(
        request, "reviews/committee.html", _committee_context(request, application, assignment)
    )


def _committee_post(request, pk, form_name, form, call, success):
    application, assignment = _committee_application(request, pk)
    if form.is_valid():
        try:
            call(application, form.cleaned_data)
        except DomainError as exc:
            _apply(form, exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
            return redirect("reviews:committee", pk=pk)
    context = _committee_context(request, application, assignment, **{form_name: form})
    return render(request, "reviews/committee.html", context, status=400)


@login_required
@require_POST
def vote(request, pk):
    members = forms.committee_members() if permissions.can_decide(request.user) else None
    form = forms.VoteForm(request.POST, members=members)
    return _committee_post(
        request,
        pk,
        "vote_form",
        form,
        lambda app, data: services.vote_cast(
            actor=request.user,
            application=app,
            voter=data.get("voter"),
            choice=data["choice"],
            comment=data.get("comment", ""),
        ),
        _("The vote was recorded."),
    )


@login_required
@require_POST
def classify(request, pk):
    return _committee_post(
        request,
        pk,
        "classification_form",
        forms.ClassificationForm(request.POST),
        lambda app, data: services.classification_set(
            actor=request.user, application=app, use_type=data["use_type"], reason=data["reason"]
        ),
        _("The type was set."),
    )


@login_required
@require_POST
def decide(request, pk):
    return _committee_post(
        request,
        pk,
        "decision_form",
        forms.DecisionForm(request.POST),
        lambda app, data: services.decision_record(
            actor=request.user,
            application=app,
            outcome=data["outcome"],
            reason=data.get("reason", ""),
            access_expires_on=data.get("access_expires_on"),
        ),
        _("The decision was recorded."),
    )


@login_required
@require_POST
def quorum(request, pk):
    return _committee_post(
        request,
        pk,
        "quorum_form",
        forms.QuorumForm(request.POST),
        lambda app, data: services.committee_set_quorum(
            actor=request.user, application=app, quorum=data["quorum"]
        ),
        _("The quorum was set."),
    )


@login_required
@require_POST
def condition_add(request, pk):
    application, _assignment = _committee_application(request, pk)
    risks = selectors.committee_view(application, quorum_default=default_quorum()).risks
    return _committee_post(
        request,
        pk,
        "condition_form",
        forms.ConditionForm(request.POST, risks=risks),
        lambda app, data: services.condition_add(actor=request.user, application=app, **data),
        _("The condition was added."),
    )


# ---- conditions ------------------------------------------------------------------------


@login_required
def conditions(request):
    qs = (
        selectors.conditions_for_user(request.user)
        .select_related(None)
        .select_related("application", "owner")
        .only(
            "id",
            "text",
            "kind",
            "state",
            "due_on",
            "overdue_since",
            "reported_at",
            "application__reference",
            "application__title",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
    )
    page = paginate(request, qs, 25)
    condition_url = pk_url("reviews:condition")
    rows = [
        {
            "c": c,
            "url": condition_url(c.pk),
            "text": truncatechars(c.text, 80),
            "owner": c.owner.get_full_name() or c.owner.username,
            "due": date_text(c.due_on),
            "state": c.get_state_display(),
        }
        for c in page.object_list
    ]
    return render(request, "reviews/conditions.html", {"page": page, "rows": rows})


@login_required
def condition_detail(request, pk):
    condition = selectors.conditions_for_user(request.user).filter(pk=pk).first()
    if condition is None:
        raise Http404
    is_owner = request.user.pk in (condition.owner_id, condition.application.applicant_id)
    report_form = forms.ConditionReportForm(initial={"report": condition.report})
    waive_form = forms.WaiveForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "report":
                report_form = forms.ConditionReportForm(request.POST)
                if report_form.is_valid():
                    services.condition_report(
                        actor=request.user, condition=condition, **report_form.cleaned_data
                    )
                    messages.success(request, _("Your report was saved."))
                    return redirect("reviews:condition", pk=pk)
            elif action == "met":
                services.condition_settle(actor=request.user, condition=condition, outcome="met")
                messages.success(request, _("The condition is marked met."))
                return redirect("reviews:condition", pk=pk)
            elif action == "waive":
                waive_form = forms.WaiveForm(request.POST)
                if waive_form.is_valid():
                    services.condition_settle(
                        actor=request.user,
                        condition=condition,
                        outcome="waived",
                        reason=waive_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("The condition is waived."))
                    return redirect("reviews:condition", pk=pk)
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("reviews:condition", pk=pk)
    return render(
        request,
        "reviews/condition.html",
        {
            "condition": condition,
            "is_open": condition.state == ConditionState.OPEN,
            "can_report": is_owner and condition.state == ConditionState.OPEN,
            "can_mark": CONDITION.allows("met", request.user, condition),
            "report_form": report_form,
            "waive_form": waive_form,
        },
    )


# ---- the late board (issue 16) ------------------------------------------------------------


@login_required
def late_board(request):
    """What is late, by kind, with counts and links: for the chair and the secretariat."""
    from . import late

    if not late.can_see_late_board(request.user):
        raise PermissionDenied
    rows = [
        (kind, n, more, kind.queue_url if late.queue_link_allowed(kind, request.user) else "")
        for kind, n, more in late.late_board()
    ]
    return render(request, "reviews/late_board.html", {"rows": rows})


@login_required
def late_list(request, key):
    """The late items of one kind, oldest due first."""
    from . import late

    if not late.can_see_late_board(request.user):
        raise PermissionDenied
    try:
        kind, items = late.late_items(key)
    except KeyError:
        raise Http404 from None
    page = paginate(request, items, 25)
    linked = late.queue_link_allowed(kind, request.user)
    page.object_list = [kind.row(item) for item in page.object_list]
    return render(
        request,
        "reviews/late_list.html",
        {"kind": kind, "page": page, "linked": linked, "today": timezone.localdate()},
    )
