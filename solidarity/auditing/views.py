from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from solidarity.audit.models import AuditEvent
from solidarity.audit.permissions import can_read_audit_trail
from solidarity.audit.services import audit_verify


@login_required
def audit_console(request):
    """The auditor's view of the trail: filter by actor, action and object; verify the chain."""
    if not can_read_audit_trail(request.user):
        raise PermissionDenied
    events = AuditEvent.objects.order_by("-id")
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "").strip()
    target = request.GET.get("target", "").strip()
    if actor:
        events = events.filter(actor_label=actor)
    if action:
        events = events.filter(action__startswith=action)
    if target:
        events = events.filter(target_repr__icontains=target)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    verification = audit_verify() if request.GET.get("verify") else None
    return render(
        request,
        "auditing/console.html",
        {
            "page": page,
            "verification": verification,
            "filters": {"actor": actor, "action": action, "target": target},
        },
    )
