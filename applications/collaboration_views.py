"""HTML views for co-applicants and the conversation: thin, through the services."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from solidarity.errors import DomainError

from . import collaboration, selectors, services
from . import permissions as perms
from .collaboration_forms import AnswerForm, InviteForm, MessageForm, NewAccountForm
from .services.team import _account_for, invitation_by_token
from .team import ApplicationMember, MemberState


def collaboration_context(request, application, forms: dict) -> dict:
    """What the application's page shows of its team and conversation (fixed queries)."""
    user = request.user
    access = perms.conversation_access(user, application)
    manage = perms.can_manage_team(user, application)
    context = {
        "team_members": collaboration.team_of(application)
        if perms.is_team_member(user, application) or perms.is_secretariat_or_chair(user)
        else [],
        "can_manage_team": manage,
        "invite_form": forms.get("invite") or (InviteForm() if manage else None),
        "conversation": access,
        "thread": list(collaboration.messages_visible_to(user, application))
        if access.reads
        else [],
        "message_form": forms.get("message")
        or (MessageForm(access=access) if access.posts else None),
        "answer_form": forms.get("answer") or (AnswerForm() if access.answer_revision else None),
        "revision_answers": collaboration.revision_answers(user, application),
        "my_membership": None,
    }
    if perms.team_role(user, application) in ("editor", "viewer"):
        context["my_membership"] = next(
            (m for m in context["team_members"] if m.user_id == user.pk), None
        )
    return context


def _back(application, anchor=""):
    return redirect(reverse("applications:detail", args=[application.pk]) + anchor)


def _refused(request, application, exc: DomainError, form, key):
    for field, errors in (exc.field_errors or {}).items():
        form.add_error(field if field in form.fields else None, errors)
    if not exc.field_errors:
        form.add_error(None, exc.message)
    from .views import detail_page

    return detail_page(request, application, forms={key: form}, status=exc.status_code)


# ---- team -------------------------------------------------------------------------------


@login_required
@require_POST
def member_invite(request, pk):
    application = selectors.application_detail(request.user, pk)
    if not perms.can_manage_team(request.user, application):
        raise PermissionDenied
    form = InviteForm(request.POST)
    if not form.is_valid():
        from .views import detail_page

        return detail_page(request, application, forms={"invite": form}, status=400)
    try:
        member, _token = services.application_member_invite(
            actor=request.user, application=application, **form.cleaned_data
        )
    except DomainError as exc:
        return _refused(request, application, exc, form, "invite")
    messages.success(
        request,
        _("%(email)s was invited as %(role)s; the invitation was e-mailed.")
        % {"email": member.email, "role": member.get_role_display().lower()},
    )
    return _back(application, "#members-heading")


def _member(request, pk, member_pk):
    application = selectors.application_detail(request.user, pk)
    return application, get_object_or_404(ApplicationMember, pk=member_pk, application=application)


@login_required
@require_POST
def member_revoke(request, pk, member_pk):
    application, member = _member(request, pk, member_pk)
    try:
        services.application_member_revoke(actor=request.user, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The invitation to %(email)s was revoked.") % {"email": member.email}
        )
    return _back(application, "#members-heading")


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    application, member = _member(request, pk, member_pk)
    leaving = member.user_id == request.user.pk
    try:
        services.application_member_remove(actor=request.user, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(application, "#members-heading")
    if leaving:
        messages.success(
            request, _("You left the team of %(title)s.") % {"title": application.title}
        )
        return redirect("applications:mine")
    messages.success(request, _("%(email)s was removed from the team.") % {"email": member.email})
    return _back(application, "#members-heading")


def invitation(request, token):
    """The link of an invitation e-mail: accept it signed in, or create an account first."""
    member = invitation_by_token(token)
    if member is None:
        raise Http404
    application = member.application
    open_ = member.state == MemberState.INVITED and not member.is_expired
    has_account = _account_for(member.email) is not None
    form = None
    status = 200
    if open_ and not request.user.is_authenticated and not has_account:
        form = NewAccountForm(request.POST or None)
    if request.method == "POST" and open_:
        try:
            if request.user.is_authenticated:
                services.application_member_accept(actor=request.user, token=token)
            elif form is not None and form.is_valid():
                data = form.cleaned_data
                _joined, user = services.application_member_accept_new_account(
                    token=token,
                    username=data["username"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                status = 400
        except DomainError as exc:
            if form is not None and exc.field_errors:
                for field, errors in exc.field_errors.items():
                    target = "password1" if field == "password" else field
                    form.add_error(target if target in form.fields else None, errors)
            else:
                messages.error(request, exc.message)
            status = exc.status_code
        else:
            if status == 200:
                messages.success(
                    request,
                    _("You joined the team of %(title)s.") % {"title": application.title},
                )
                return redirect("applications:detail", pk=application.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "applications/invitation.html",
        {
            "member": member,
            "application": application,
            "open": open_,
            "expired": member.is_expired,
            "has_account": has_account,
            "form": form,
            "login_url": reverse("login") + "?next=" + request.path,
        },
        status=status,
    )


# ---- conversation -----------------------------------------------------------------------


@login_required
@require_POST
def message_post(request, pk):
    application = selectors.application_detail(request.user, pk)
    answer = request.POST.get("answer") == "1"
    access = perms.conversation_access(request.user, application)
    if not (access.answer_revision if answer else access.posts):
        raise PermissionDenied
    key = "answer" if answer else "message"
    form = (
        AnswerForm(request.POST, request.FILES)
        if answer
        else MessageForm(request.POST, request.FILES, access=access)
    )
    if not form.is_valid():
        from .views import detail_page

        return detail_page(request, application, forms={key: form}, status=400)
    data = form.cleaned_data
    try:
        services.message_post(
            actor=request.user,
            application=application,
            body=data["body"],
            visibility=data.get("visibility") or "public",
            files=[data["file"]] if data.get("file") else [],
            answer=answer,
        )
    except DomainError as exc:
        if "files" in (exc.field_errors or {}):
            exc.field_errors["file"] = exc.field_errors.pop("files")
        return _refused(request, application, exc, form, key)
    messages.success(
        request,
        _("Your answer was added to the conversation; submit the revised application when ready.")
        if answer
        else _("Your message was added to the conversation."),
    )
    return _back(application, "#conversation")


@login_required
def message_attachment(request, pk, message_pk, attachment_pk):
    """A message's file, only for those who may read the message."""
    application = selectors.application_detail(request.user, pk)
    attachment = collaboration.message_attachment_for(
        request.user, application, message_pk, attachment_pk
    )
    if attachment is None:
        raise Http404
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
