"""A register entry's "why it was allowed" section in a real browser: axe finds nothing, the
strict CSP blocks nothing, and the scatter chart is drawn with the static stylesheet's rules."""

import datetime

import pytest
from django.utils import timezone

from applications.models import ConsentAcknowledgement
from reviews.models import Condition
from tests.register.test_why import _canary_user, _review, _self
from tests.register.test_why import dataset as dataset
from tests.register.test_why import framework as framework
from tests.register.test_why import project as project

from .test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_entry_with_why_passes_axe_with_no_csp_violation(page, project, framework, dataset):
    for n, (benefit, safety) in enumerate([("1/2", "1/2"), ("3/4", "-1/4"), ("-1/4", "1/4")], 1):
        _review(project, framework, n, benefit, safety)
    _self(project, framework, 1, "3/4")
    owner = _canary_user(9, prefix="owner")
    Condition.objects.create(
        application=project,
        text="Publish the code",
        owner=owner,
        created_by=owner,
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    ConsentAcknowledgement.objects.create(
        application=project,
        dataset=dataset,
        term="DUO:0000046",
        party="committee",
        reason="A company hosts the servers but takes no data.",
        acknowledged_by=owner,
    )
    blocked = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto("/accounts/login/")
    baseline = list(blocked)
    blocked.clear()
    page.goto(f"/register/{project.reference}/")
    assert _violations(page) == []
    chart = page.locator("svg#why-chart[role=img]")
    assert chart.count() == 1
    assert chart.get_attribute("aria-labelledby") == "why-chart-title why-chart-desc"
    quadrant_label = "svg#why-chart .text-overlay .serie-0 text"
    size = page.evaluate(f"getComputedStyle(document.querySelector('{quadrant_label}')).fontSize")
    assert size == "40px"
    assert blocked == baseline, (blocked, baseline)
