from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from solidarity.api import int_param
from solidarity.pagination import paginate

from .selectors import inbox
from .services import notification_mark_read


@login_required
def inbox_view(request):
    page = paginate(request, inbox(request.user), 25)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("id")
    clean_ids = [i for i in map(int_param, ids) if i is not None] if ids else None
    notification_mark_read(actor=request.user, notification_ids=clean_ids)
    return redirect("notifications:inbox")
