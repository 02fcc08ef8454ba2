"""Custodians' pages: nodes (register, credential shown once, revoke), deliveries, runs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from applications.selectors import application_detail
from solidarity.catalog.models import Organisation
from solidarity.errors import DomainError

from . import permissions as perms
from . import selectors, services
from .forms import NodeForm, ReasonForm, WebhookForm


def _apply_errors(form, exc: DomainError) -> None:
    for field, errors in exc.field_errors.items():
        form.add_error(field if field in form.fields else None, errors)
    if not exc.field_errors:
        form.add_error(None, exc.message)


def _organisations(user):
    return Organisation.objects.filter(pk__in=perms.custodian_organisation_ids(user))


@login_required
@never_cache
def node_list(request):
    """The custodian's nodes, and the form to register one; the credential is shown once."""
    organisations = _organisations(request.user)
    if not organisations.exists():
        raise Http404
    form = NodeForm(request.POST or None, organisations=organisations)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            node, credential, webhook_secret = services.node_register(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                webhook_url=form.cleaned_data["webhook_url"],
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            created = {"node": node, "credential": credential, "webhook_secret": webhook_secret}
            form = NodeForm(organisations=organisations)
    return render(
        request,
        "grants/node_list.html",
        {"nodes": selectors.nodes_for(request.user), "form": form, "created": created},
    )


def _node_or_404(request, pk):
    node = selectors.node_for(request.user, pk)
    if node is None:
        raise Http404
    return node


@login_required
def node_detail(request, pk):
    node = _node_or_404(request, pk)
    deliveries = Paginator(selectors.deliveries_of(node), 25).get_page(request.GET.get("page"))
    runs = selectors.runs_visible_to(request.user).filter(node=node)[:50]
    return render(
        request,
        "grants/node_detail.html",
        {
            "node": node,
            "page": deliveries,
            "runs": runs,
            "webhook_form": WebhookForm(initial={"webhook_url": node.webhook_url}),
            "revoke_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def node_webhook(request, pk):
    node = _node_or_404(request, pk)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            services.node_update_webhook(
                actor=request.user, node=node, webhook_url=form.cleaned_data["webhook_url"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The webhook address was saved."))
    return redirect("grants:node-detail", pk=node.pk)


@login_required
@require_POST
def node_revoke(request, pk):
    node = _node_or_404(request, pk)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        services.node_revoke(actor=request.user, node=node, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The node's credential was revoked."))
    return redirect("grants:node-detail", pk=node.pk)


@login_required
def project_runs(request, pk):
    """A project's grants and the runs nodes reported, as far as the user may see them."""
    application = application_detail(request.user, pk)
    context = selectors.project_overview(request.user, application)
    return render(
        request,
        "grants/project.html",
        {"application": application, "flag_form": ReasonForm(), **context},
    )


@login_required
@require_POST
def run_flag(request, pk):
    run = selectors.runs_visible_to(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    form = ReasonForm(request.POST)
    try:
        services.run_flag(actor=request.user, run=run, reason=form.data.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The run was flagged for the committee."))
    return redirect("grants:project", pk=run.application_id)


def project_links(user, application) -> list[tuple[str, str]]:
    """The application page links to its grants and runs once it has any."""
    from django.urls import reverse

    if not user.is_authenticated or application.activated_at is None:
        return []
    count = selectors.runs_visible_to(user).filter(application=application).count()
    return [
        (
            _("Access grants and runs reported by nodes (%(count)s runs)") % {"count": count},
            reverse("grants:project", args=[application.pk]),
        )
    ]
