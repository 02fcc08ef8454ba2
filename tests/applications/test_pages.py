"""The browser pages: filing step by step, screening, custodians' decisions, refusals."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, ApplicationState
from solidarity.audit.models import AuditEvent
from tests.factories import DatasetFactory

from . import factories
from .factories import COMPLETE, pdf_upload

S = ApplicationState


def url(name, *args):
    return reverse(f"applications:{name}", args=args)


def test_applicant_files_step_by_step_and_submits(client, researcher, dataset):
    client.force_login(researcher)
    response = client.post(url("create"), {"title": "Heat and diabetes"})
    application = Application.objects.get(title="Heat and diabetes")
    assert response.status_code == 302
    assert response["Location"] == url("edit", application.pk, "summary")
    steps = {
        "summary": {k: COMPLETE[k] for k in ["title", "lay_summary", "scientific_summary"]}
        | {"aims": COMPLETE["aims"], "methods": COMPLETE["methods"]},
        "purpose": {"research_use": "DUO:0000006", "will_publish": "on"},
        "benefit": {"public_benefit": "Warnings.", "beneficiaries": ["data_subjects"]},
        "funding": {"funding": "Grant."},
        "dates": {"start_date": "2027-01-01", "end_date": "2027-12-31"},
        "team": {"name": "Alice", "role": "PI", "organisation": "Uni"},
        "datasets": {"dataset": dataset.pk, "access_mode": "federated", "variables": "HbA1c"},
    }
    for step, data in steps.items():
        response = client.post(url("edit", application.pk, step), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    response = client.post(
        url("edit", application.pk, "attachments"), {"kind": "protocol", "file": pdf_upload()}
    )
    assert response.status_code == 302
    body = client.get(url("edit", application.pk, "check")).content.decode()
    assert "Still missing" not in body
    response = client.post(url("action", application.pk, "submit"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert application.reference.startswith("DSA-")
    body = client.get(url("detail", application.pk)).content.decode()
    assert application.reference in body
    assert "Screening" in body


def test_submit_with_missing_parts_lists_them_and_keeps_the_draft(client, researcher):
    application = factories.draft(researcher, aims="My aims")
    client.force_login(researcher)
    response = client.post(url("action", application.pk, "submit"))
    assert response.status_code == 302
    assert response["Location"] == url("edit", application.pk, "check")
    body = client.get(response["Location"]).content.decode()
    assert "Write the plain-language summary." in body
    assert "Attach the study protocol." in body
    application.refresh_from_db()
    assert application.state == S.DRAFT and application.aims == "My aims"


def test_invalid_step_keeps_what_was_typed(client, researcher):
    application = factories.draft(researcher)
    client.force_login(researcher)
    response = client.post(
        url("edit", application.pk, "dates"),
        {"start_date": "2027-05-01", "end_date": "2027-01-01"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "must not come before" in body
    assert 'value="2027-05-01"' in body


def test_transfer_needs_a_justification(client, researcher):
    dataset = DatasetFactory(access_modes=["transfer"])
    application = factories.draft(researcher)
    client.force_login(researcher)
    response = client.post(
        url("edit", application.pk, "datasets"),
        {"dataset": dataset.pk, "access_mode": "transfer", "variables": "All"},
    )
    assert response.status_code == 400
    assert "federated analysis will not do" in response.content.decode()
    assert not application.dataset_requests.exists()


def test_upload_checked_by_content(client, researcher):
    application = factories.draft(researcher)
    client.force_login(researcher)
    response = client.post(
        url("edit", application.pk, "attachments"),
        {"kind": "protocol", "file": pdf_upload("protocol.pdf", b"MZ\x90\x00not a pdf")},
    )
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert not application.attachments.exists()


def test_upload_size_limit(client, researcher, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    application = factories.draft(researcher)
    client.force_login(researcher)
    big = factories.PDF + b"0" * 2048
    response = client.post(
        url("edit", application.pk, "attachments"),
        {"kind": "protocol", "file": pdf_upload(content=big)},
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_attachment_is_streamed_only_to_those_who_may_see(
    client, researcher, other_researcher, outsider, custodian, other_custodian, submitted
):
    attachment = submitted.attachments.get()
    link = url("attachment", submitted.pk, attachment.pk)
    assert len(attachment.sha256) == 64
    for user in (researcher, custodian):
        client.force_login(user)
        response = client.get(link)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for user in (other_researcher, outsider, other_custodian):
        client.force_login(user)
        assert client.get(link).status_code == 404


@pytest.mark.parametrize("who", ["other_researcher", "outsider", "other_custodian", "custodian"])
def test_others_cannot_see_a_draft(client, request, draft, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("detail", draft.pk)).status_code == 404
    assert client.get(url("edit", draft.pk, "summary")).status_code == 404
    response = client.post(url("action", draft.pk, "submit"))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.state == S.DRAFT


@pytest.mark.parametrize("who", ["other_researcher", "outsider", "other_custodian"])
def test_others_cannot_see_or_act_on_a_submission(client, request, submitted, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("detail", submitted.pk)).status_code == 404
    for action in ("withdraw", "accept", "reject"):
        assert client.post(url("action", submitted.pk, action), {"text": "x"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


@pytest.mark.parametrize("who", ["secretariat", "chair", "auditor", "custodian", "researcher"])
def test_those_concerned_see_a_submission(client, request, submitted, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("detail", submitted.pk)).status_code == 200


def test_custodian_cannot_act_as_secretariat(client, custodian, submitted):
    client.force_login(custodian)
    assert client.post(url("action", submitted.pk, "accept")).status_code == 403


def test_secretariat_screens_from_the_queue(client, secretariat, submitted):
    client.force_login(secretariat)
    body = client.get(url("queue")).content.decode()
    assert submitted.reference in body
    response = client.post(url("action", submitted.pk, "request-revision"), {"text": ""})
    assert response.status_code == 400
    response = client.post(
        url("action", submitted.pk, "request-revision"), {"text": "Add the DPIA."}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == S.REVISION_REQUESTED


def test_illegal_move_answers_with_a_message_not_a_500(client, secretariat, in_review):
    client.force_login(secretariat)
    response = client.post(url("action", in_review.pk, "accept"), follow=True)
    assert response.status_code == 200
    assert "cannot be accepted into review" in response.content.decode()


def test_queue_filters_and_sorts(client, secretariat, researcher, dataset, other_dataset):
    first = factories.submitted(researcher, datasets=[dataset], title="First study")
    second = factories.submitted(researcher, datasets=[other_dataset], title="Second study")
    services.application_accept(actor=secretariat, application=second)
    client.force_login(secretariat)
    body = client.get(url("queue"), {"dataset": other_dataset.pk}).content.decode()
    assert "Second study" in body and "First study" not in body
    body = client.get(url("queue"), {"state": "submitted"}).content.decode()
    assert "First study" in body and "Second study" not in body
    body = client.get(url("queue"), {"custodian": dataset.custodian.pk}).content.decode()
    assert "First study" in body and "Second study" not in body
    body = client.get(url("queue"), {"older_than": 3}).content.decode()
    assert "First study" not in body
    body = client.get(url("queue"), {"sort": "-submitted"}).content.decode()
    assert body.index("Second study") < body.index("First study")
    assert first.pk


@pytest.mark.parametrize("who", ["researcher", "custodian", "outsider"])
def test_queue_is_refused_to_others(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("queue")).status_code == 403


def test_custodian_sees_and_decides_only_its_own_requests(
    client, custodian, other_custodian, approved, dataset, other_dataset
):
    own = approved.dataset_requests.get(dataset=dataset)
    foreign = approved.dataset_requests.get(dataset=other_dataset)
    client.force_login(custodian)
    body = client.get(url("requests")).content.decode()
    assert dataset.title in body and other_dataset.title not in body
    assert client.get(url("decide", foreign.pk)).status_code == 404
    assert client.post(url("decide", foreign.pk), {"decision": "grant"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.state == "pending"
    response = client.post(url("decide", own.pk), {"decision": "decline", "reason": ""})
    assert response.status_code == 400
    response = client.post(
        url("decide", own.pk), {"decision": "grant", "conditions": "Federated only"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.state == "granted" and own.decision_conditions == "Federated only"
    body = client.get(url("detail", approved.pk)).content.decode()
    assert "Lyon Registry has not yet decided on Cancer registry." in body
    client.force_login(other_custodian)
    response = client.post(url("decide", foreign.pk), {"decision": "grant"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    approved.refresh_from_db()
    assert approved.state == S.ACTIVE


def test_requests_page_is_refused_to_non_custodians(client, researcher):
    client.force_login(researcher)
    assert client.get(url("requests")).status_code == 403


def test_versions_diff_is_readable(client, researcher, secretariat, reviewer, submitted):
    services.application_request_revision(
        actor=secretariat, application=submitted, message="Clarify."
    )
    services.application_update_draft(
        actor=researcher, application=submitted, methods="Federated mixed models across sites."
    )
    services.application_submit(actor=researcher, application=submitted)
    client.force_login(secretariat)
    response = client.get(url("versions", submitted.pk), {"old": 1, "new": 2})
    body = response.content.decode()
    assert "<del>regression</del>" in body
    assert "<ins>mixed models</ins>" in body
    client.force_login(reviewer)  # not assigned: may not see
    assert client.get(url("versions", submitted.pk)).status_code == 404


def test_timeline_comes_from_audit_events(client, researcher, submitted):
    client.force_login(researcher)
    body = client.get(url("detail", submitted.pk)).content.decode()
    assert "Draft created" in body and "Submitted" in body
    assert AuditEvent.objects.for_target(submitted).count() >= 2


def test_my_applications_shows_what_is_awaited(client, researcher, submitted):
    client.force_login(researcher)
    body = client.get(url("mine")).content.decode()
    assert submitted.title in body
    assert "the secretariat" in body


def test_withdraw_and_copy_through_the_browser(client, researcher, secretariat, submitted):
    client.force_login(researcher)
    services.application_reject(actor=secretariat, application=submitted, reason="Scope")
    response = client.post(url("action", submitted.pk, "copy"))
    copy = Application.objects.exclude(pk=submitted.pk).get()
    assert response["Location"] == url("edit", copy.pk, "summary")
    response = client.post(url("action", copy.pk, "withdraw"), {"confirm": "yes"})
    copy.refresh_from_db()
    assert copy.state == S.WITHDRAWN


def test_consent_conflict_is_shown_before_submission(client, researcher):
    dataset = DatasetFactory(consent_modifiers=["DUO:0000046"])
    application = factories.complete_draft(
        researcher, datasets=[dataset], commercial_involvement=True, commercial_details="Pharma"
    )
    client.force_login(researcher)
    body = client.get(url("edit", application.pk, "check")).content.decode()
    assert "Consent conflicts" in body
    assert "DUO:0000046" in body


def test_home_panels_for_each_role(client, researcher, secretariat, custodian, submitted):
    client.force_login(researcher)
    assert "Your applications" in client.get("/").content.decode()
    client.force_login(secretariat)
    assert "1 submission to screen" in client.get("/").content.decode()
    client.force_login(custodian)
    body = client.get("/").content.decode()
    assert "Data requests awaiting your decision" in body
    assert submitted.reference in body


def test_menu_items_only_for_those_who_need_them(client, researcher, outsider, secretariat):
    client.force_login(outsider)
    body = client.get("/").content.decode()
    assert url("mine") not in body and url("queue") not in body
    client.force_login(researcher)
    assert url("mine") in client.get("/").content.decode()
    client.force_login(secretariat)
    assert url("queue") in client.get("/").content.decode()


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm the content-type and permission caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _more_submissions(researcher, dataset, n):
    for i in range(n):
        clone = Application.objects.create(
            applicant=researcher, title=f"Clone {i}", state=S.SUBMITTED, reference=f"X-{i}"
        )
        clone.dataset_requests.create(dataset=dataset)


def test_my_applications_runs_a_fixed_number_of_queries(
    client, researcher, django_assert_num_queries
):
    factories.draft(researcher, title="Draft 0")
    client.force_login(researcher)
    with_one_row = _queries(client, url("mine"))
    for i in range(1, 50):
        factories.draft(researcher, title=f"Draft {i}")
    with django_assert_num_queries(with_one_row):
        response = client.get(url("mine"))
    assert response.status_code == 200 and "Draft 49" in response.content.decode()


def test_queue_runs_a_fixed_number_of_queries(
    client, researcher, secretariat, django_assert_num_queries, dataset
):
    factories.submitted(researcher, datasets=[dataset])
    client.force_login(secretariat)
    with_one_row = _queries(client, url("queue"))
    _more_submissions(researcher, dataset, 49)
    with django_assert_num_queries(with_one_row):
        response = client.get(url("queue"))
    assert response.status_code == 200 and "Page 1 of 2" in response.content.decode()


def test_custodian_requests_run_a_fixed_number_of_queries(
    client, researcher, custodian, django_assert_num_queries, dataset
):
    factories.submitted(researcher, datasets=[dataset])
    client.force_login(custodian)
    with_one_row = _queries(client, url("requests"))
    _more_submissions(researcher, dataset, 49)
    with django_assert_num_queries(with_one_row):
        response = client.get(url("requests"))
    assert response.status_code == 200 and "Page 1 of 2" in response.content.decode()


def test_officers_see_approved_projects_but_not_submissions(
    client, harm_officer, benefit_officer, active, researcher, dataset
):
    pending = factories.submitted(researcher, datasets=[dataset], title="Pending one")
    for officer in (harm_officer, benefit_officer):
        client.force_login(officer)
        assert client.get(url("detail", active.pk)).status_code == 200
        assert client.get(url("detail", pending.pk)).status_code == 404


def test_reviewer_sees_an_application_once_granted_the_object_permission(
    client, reviewer, other_reviewer, submitted
):
    from guardian.shortcuts import assign_perm

    assign_perm("applications.view_application_object", reviewer, submitted)
    client.force_login(reviewer)
    assert client.get(url("detail", submitted.pk)).status_code == 200
    assert client.post(url("action", submitted.pk, "accept")).status_code == 403
    client.force_login(other_reviewer)
    assert client.get(url("detail", submitted.pk)).status_code == 404


def test_project_actions_through_the_browser(client, chair, researcher, active):
    client.force_login(chair)
    body = client.get(url("detail", active.pk)).content.decode()
    assert "Suspend the project" in body and "Ask for an amendment" not in body
    empty = client.post(url("action", active.pk, "suspend"), {"text": "", "confirm": "yes"})
    assert empty.status_code == 400
    client.post(url("action", active.pk, "suspend"), {"text": "Breach reported", "confirm": "yes"})
    active.refresh_from_db()
    assert active.state == S.SUSPENDED and active.state_reason == "Breach reported"
    client.post(url("action", active.pk, "reinstate"))
    client.force_login(researcher)
    response = client.post(
        url("action", active.pk, "close"), {"text": "We are done.", "confirm": "yes"}
    )
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.state == S.CLOSED and active.final_report == "We are done."


def test_researcher_cannot_suspend_through_the_browser(client, researcher, active):
    client.force_login(researcher)
    response = client.post(url("action", active.pk, "suspend"), {"text": "No"})
    assert response.status_code == 403
    active.refresh_from_db()
    assert active.state == S.ACTIVE


def test_unknown_action_is_404(client, researcher, draft):
    client.force_login(researcher)
    assert client.post(url("action", draft.pk, "explode")).status_code == 404
