"""The benchmark's URL conf: the real one, plus the bare 50-row list used as the baseline."""

from django.shortcuts import render
from django.urls import include, path

from applications.models import Application


def bare_list(request):
    """What a hand-written Django list costs: 50 rows by id, a minimal template."""
    rows = Application.objects.order_by("-id")[:50]
    return render(request, "bench/bare_list.html", {"rows": rows})


urlpatterns = [
    path("bench/bare/", bare_list, name="bench-bare"),
    path("", include("solidarity.urls")),
]
