"""The applications' lists keep their answers while reading less at 100,000 applications.

- The custodian's requests filter, order and count on the request's own copies of its
  application's submission time and draft state, kept by database triggers at every entrance:
  the order is the same as when it was read from the application (decision state, newest
  submission first, a draft's requests never shown, a draft withdrawn unsubmitted shown first).
- The secretariat queue's total comes from its counts per state when nothing else narrows it.
- My applications are read as a union of the applicant's and the accepted member's rows.
"""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, DatasetRequest
from applications.selectors import applications_visible_to

from . import factories

# A list's bounded count (``solidarity.pagination``), not the unread badge's.
LIST_COUNT = "SELECT COUNT(*) FROM (SELECT"


def _request_rows(client) -> list[str]:
    body = client.get(reverse("applications:requests")).content.decode()
    return re.findall(r"<tr><td><a href=\"[^\"]+\">[^<]*: ([^<]+)</a>", body)


def test_custodian_list_orders_by_state_then_newest_submission_kept_by_triggers(
    client, researcher, custodian, secretariat, dataset
):
    older = factories.submitted(researcher, title="Older", datasets=[dataset])
    newer = factories.submitted(researcher, title="Newer", datasets=[dataset])
    factories.complete_draft(researcher, title="Still a draft", datasets=[dataset])
    unsubmitted = factories.complete_draft(researcher, title="Withdrawn draft", datasets=[dataset])
    services.application_withdraw(actor=researcher, application=unsubmitted)
    declined = factories.submitted(researcher, title="Declined", datasets=[dataset])
    services.dataset_request_decline(
        actor=custodian,
        dataset_request=declined.dataset_requests.get(),
        reason="Not for this purpose.",
    )
    base = timezone.now() - datetime.timedelta(days=30)
    # A change of the application's time by any entrance (here a bulk update) reaches its
    # requests: ``older`` really is older, then its resubmission makes it the newest.
    Application.objects.filter(pk=older.pk).update(submitted_at=base)
    Application.objects.filter(pk=newer.pk).update(submitted_at=base + datetime.timedelta(days=1))
    client.force_login(custodian)
    # Declined before pending (the state's order); a withdrawn draft has no submission time
    # and comes first among the pending (as PostgreSQL orders no time when newest first).
    assert _request_rows(client) == ["Declined", "Withdrawn draft", "Newer", "Older"]

    services.application_request_revision(actor=secretariat, application=older, message="More.")
    older.refresh_from_db()
    services.application_submit(actor=researcher, application=older)
    assert _request_rows(client) == ["Declined", "Withdrawn draft", "Older", "Newer"]

    for request in DatasetRequest.objects.select_related("application"):
        assert request.application_submitted_at == request.application.submitted_at
        assert request.application_filed == (request.application.state != "draft")


def test_a_request_saved_whole_keeps_its_applications_values(
    client, researcher, custodian, dataset
):
    application = factories.submitted(researcher, title="Saved whole", datasets=[dataset])
    request = DatasetRequest.objects.get(application=application)
    # A model instance built before the copies were written (or an admin form) saves every
    # column: the trigger writes the application's values, not the stale ones.
    request.application_submitted_at, request.application_filed = None, False
    request.save()
    request.refresh_from_db()
    assert request.application_filed is True
    assert request.application_submitted_at == application.submitted_at
    client.force_login(custodian)
    assert _request_rows(client) == ["Saved whole"]


def test_custodian_list_reads_no_application_to_count_its_rows(
    client, researcher, custodian, dataset
):
    for n in range(3):
        factories.submitted(researcher, title=f"Counted {n}", datasets=[dataset])
    client.force_login(custodian)
    client.get(reverse("applications:requests"))
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("applications:requests")).content.decode()
    assert body.count("Counted ") == 3
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(LIST_COUNT)]
    assert len(counts) == 1 and "applications_application" not in counts[0]


def test_default_queue_takes_its_total_from_the_counts_per_state(
    client, researcher, secretariat, dataset, other_dataset
):
    for n in range(3):
        factories.submitted(researcher, title=f"Queued {n}", datasets=[dataset])
    factories.submitted(researcher, title="Elsewhere", datasets=[other_dataset])
    client.force_login(secretariat)
    url = reverse("applications:queue")
    client.get(url)
    for query, shown in [({}, 4), ({"state": "submitted"}, 4), ({"state": "in_review"}, 0)]:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url, query).content.decode()
        assert not [q for q in ctx.captured_queries if q["sql"].startswith(LIST_COUNT)]
        assert body.count("Queued ") + body.count("Elsewhere") == shown, query
    # Another filter narrows the list: it is counted, and the count is right.
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url, {"dataset": dataset.pk}).content.decode()
    assert [q for q in ctx.captured_queries if q["sql"].startswith(LIST_COUNT)]
    assert body.count("Queued ") == 3 and "Elsewhere" not in body


def test_my_applications_lists_own_and_joined_once_each(client, researcher, other_researcher):
    from tests.applications.test_team import invite

    factories.draft(researcher, title="Mine alone")
    joined = factories.draft(other_researcher, title="Joined only")
    factories.draft(other_researcher, title="Not mine")
    _m, token = invite(joined, other_researcher, researcher.email)
    services.application_member_accept(actor=researcher, token=token)
    client.force_login(researcher)
    body = client.get(reverse("applications:mine")).content.decode()
    assert body.count("Mine alone") == body.count("Joined only") == 1
    assert "Not mine" not in body


def _listed(api_client, user) -> set[str]:
    api_client.force_authenticate(user)
    titles, url = set(), "/api/v1/applications/?page_size=100"
    while url:
        page = api_client.get(url).json()
        titles |= {row["title"] for row in page["results"]}
        url = page["next"]
    return titles


def test_api_list_for_oversight_roles_is_every_filed_one_and_their_own_drafts(
    api_client, researcher, other_researcher, secretariat, dataset
):
    """The secretariat's list reads its own drafts first and then every application but the
    drafts: the same rows as the visibility rule, and no one else's draft."""
    from guardian.shortcuts import assign_perm

    from solidarity.accounts.roles import Role
    from tests.applications.test_team import invite
    from tests.factories import UserFactory

    staff = UserFactory(username="sam", roles=[Role.SECRETARIAT, Role.RESEARCHER])
    factories.submitted(researcher, title="Filed", datasets=[dataset])
    factories.draft(researcher, title="Someone's draft")
    factories.draft(staff, title="Staff's own draft")
    joined = factories.draft(other_researcher, title="Draft the staff joined")
    _m, token = invite(joined, other_researcher, staff.email)
    services.application_member_accept(actor=staff, token=token)
    granted = factories.draft(other_researcher, title="Draft granted to the staff")
    assign_perm("applications.view_application_object", staff, granted)

    assert _listed(api_client, staff) == {
        "Filed",
        "Staff's own draft",
        "Draft the staff joined",
        "Draft granted to the staff",
    }
    # Refused: a plain secretariat member sees no draft at all, a researcher no one else's.
    assert _listed(api_client, secretariat) == {"Filed"}
    assert _listed(api_client, other_researcher) == {
        "Draft the staff joined",
        "Draft granted to the staff",
    }
    for user in (staff, secretariat, other_researcher):
        visible = set(applications_visible_to(user).values_list("title", flat=True))
        assert _listed(api_client, user) == visible


def test_dataset_requests_for_oversight_roles_are_every_filed_ones_and_their_own_drafts(
    api_client, researcher, other_researcher, secretariat, dataset
):
    """The dataset-request list of the secretariat reads the request's own copy of its
    application's filing and the staff's own drafts: the same rows as the visibility rule
    (the application's), and no one else's draft."""
    from guardian.shortcuts import assign_perm

    from applications.selectors import dataset_requests_visible_to
    from solidarity.accounts.roles import Role
    from tests.applications.test_team import invite
    from tests.factories import UserFactory

    staff = UserFactory(username="sam", roles=[Role.SECRETARIAT, Role.RESEARCHER])
    filed = factories.submitted(researcher, title="Filed", datasets=[dataset])
    others = factories.complete_draft(researcher, title="Someone's draft", datasets=[dataset])
    own = factories.complete_draft(staff, title="Staff's own draft", datasets=[dataset])
    joined = factories.complete_draft(
        other_researcher, title="Draft the staff joined", datasets=[dataset]
    )
    _m, token = invite(joined, other_researcher, staff.email)
    services.application_member_accept(actor=staff, token=token)
    granted = factories.complete_draft(other_researcher, title="Granted draft", datasets=[dataset])
    assign_perm("applications.view_application_object", staff, granted)

    def listed(user) -> set[int]:
        api_client.force_authenticate(user)
        body = api_client.get("/api/v1/dataset-requests/", {"page_size": 100}).json()
        return {row["application"] for row in body["results"]}

    assert listed(staff) == {filed.pk, own.pk, joined.pk, granted.pk}
    # Refused: a plain secretariat member sees no draft, a researcher no one else's.
    assert listed(secretariat) == {filed.pk}
    assert others.pk not in listed(other_researcher)
    for user in (staff, secretariat, other_researcher, researcher):
        visible = set(
            DatasetRequest.objects.filter(
                application__in=applications_visible_to(user)
            ).values_list("application_id", flat=True)
        )
        assert listed(user) == visible
        assert (
            set(dataset_requests_visible_to(user).values_list("application_id", flat=True))
            == visible
        )
