"""Every hand-over of work notifies the person who must act next.

The table below enumerates the transitions after which someone else must act; each case
performs the transition (through the pages where the step is a plain action) and checks that
the next person has a notification that names the application or report.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from benefits import services as benefit_services
from harms import services as harm_services
from reviews import services as review_services
from solidarity.notifications.models import Notification
from tests.benefits.factories import fixed_payment
from tests.factories import DatasetFactory
from tests.reviews import factories as review_factories


@pytest.fixture
def world(
    client,
    researcher,
    secretariat,
    reviewer,
    chair,
    custodian,
    benefit_officer,
    harm_officer,
    organisation,
):
    return {
        "client": client,
        "researcher": researcher,
        "secretariat": secretariat,
        "reviewer": reviewer,
        "chair": chair,
        "custodian": custodian,
        "benefit_officer": benefit_officer,
        "harm_officer": harm_officer,
        "dataset": DatasetFactory(custodian=organisation, title="Diabetes records"),
    }


def _act(w, who, app, name, **data):
    """Press an application's action button as that person."""
    w["client"].force_login(w[who])
    response = w["client"].post(reverse("applications:action", args=[app.pk, name]), data)
    assert response.status_code == 302, response.content.decode()[:1500]
    app.refresh_from_db()
    return app


def _draft(w):
    return review_factories.draft(w["researcher"], datasets=[w["dataset"]])


def _submitted(w):
    return application_services.application_submit(actor=w["researcher"], application=_draft(w))


def _in_review(w):
    return application_services.application_accept(
        actor=w["secretariat"], application=_submitted(w)
    )


def _reviewed(w):
    app = _in_review(w)
    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    assignment = review_factories.assign(app, w["secretariat"], w["reviewer"])
    review_factories.file_review(assignment, framework)
    return app


def _awaiting(w):
    return application_services.application_mark_awaiting_decision(
        actor=w["secretariat"], application=_reviewed(w)
    )


def _decide(w, app):
    w["client"].force_login(w["chair"])
    expires = timezone.localdate() + datetime.timedelta(days=365)
    response = w["client"].post(
        reverse("reviews:decide", args=[app.pk]),
        {
            "decide-outcome": "approved",
            "decide-reason": "Clear value.",
            "decide-access_expires_on": expires.isoformat(),
        },
    )
    assert response.status_code in (200, 302)
    app.refresh_from_db()
    assert app.state == "approved", response.content.decode()[:3000]
    return app


def _approved(w):
    return _decide(w, _awaiting(w))


def _proposed_agreement(w):
    app = _approved(w)
    agreement = benefit_services.agreement_draft(
        actor=w["benefit_officer"], application=app, kind="public_research", from_template=False
    )
    fixed_payment(agreement, w["benefit_officer"])
    return benefit_services.agreement_propose(actor=w["benefit_officer"], agreement=agreement)


def _signed_agreement(w):
    agreement = _proposed_agreement(w)
    benefit_services.agreement_sign(actor=w["researcher"], agreement=agreement)
    benefit_services.agreement_sign(actor=w["benefit_officer"], agreement=agreement)
    agreement.refresh_from_db()
    return agreement


def _harm_report(w):
    from tests.harms.factories import make_application, make_report

    app = make_application(w["researcher"], reference="DSA-2026-0900")
    report, _ = make_report(actor=w["researcher"], application=app)
    return report


def _triaged(w):
    report = _harm_report(w)
    return harm_services.harm_report_triage(
        actor=w["harm_officer"],
        report=report,
        severity="moderate",
        applications=list(report.applications.all()),
    )


# ---- the hand-overs --------------------------------------------------------------------


def submit(w):
    app = _act(w, "researcher", _draft(w), "submit")
    return app.reference


def resubmit(w):
    app = application_services.application_request_revision(
        actor=w["secretariat"], application=_submitted(w), message="Say more."
    )
    Notification.objects.all().delete()
    return _act(w, "researcher", app, "submit").reference


def request_revision(w):
    app = _submitted(w)
    Notification.objects.all().delete()
    return _act(w, "secretariat", app, "request-revision", text="Say more.").reference


def assign_reviewer(w):
    app = _in_review(w)
    Notification.objects.all().delete()
    review_services.assignment_create(
        actor=w["secretariat"],
        application=app,
        reviewer=w["reviewer"],
        role="scientific",
        due_on=review_factories.due(),
    )
    return app.reference


def last_review_filed(w):
    app = _in_review(w)
    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    first = review_factories.assign(app, w["secretariat"], w["reviewer"])
    review_factories.file_review(first, framework)
    Notification.objects.all().delete()
    # A second reviewer files last: only then is the secretariat told.
    from tests.factories import UserFactory

    second = review_factories.assign(
        app, w["secretariat"], UserFactory(username="ravi", roles=["reviewer"])
    )
    assert not Notification.objects.filter(recipient=w["secretariat"]).exists()
    review_factories.file_review(second, framework)
    return app.reference


def put_forward_for_decision(w):
    app = _reviewed(w)
    Notification.objects.all().delete()
    return _act(w, "secretariat", app, "await-decision").reference


def approve(w):
    app = _awaiting(w)
    Notification.objects.all().delete()
    return _decide(w, app).reference


def add_condition(w):
    app = _awaiting(w)
    Notification.objects.all().delete()
    review_services.condition_add(
        actor=w["chair"],
        application=app,
        text="Publish the code",
        due_on=review_factories.due(),
        owner=w["researcher"],
    )
    return app.reference


def report_on_condition(w):
    app = _awaiting(w)
    condition = review_services.condition_add(
        actor=w["chair"],
        application=app,
        text="Publish the code",
        due_on=review_factories.due(),
        owner=w["researcher"],
    )
    Notification.objects.all().delete()
    review_services.condition_report(
        actor=w["researcher"], condition=condition, report="Published on the project site."
    )
    return app.reference


def propose_agreement(w):
    app = _approved(w)
    agreement = benefit_services.agreement_draft(
        actor=w["benefit_officer"], application=app, kind="public_research", from_template=False
    )
    fixed_payment(agreement, w["benefit_officer"])
    Notification.objects.all().delete()
    benefit_services.agreement_propose(actor=w["benefit_officer"], agreement=agreement)
    return app.reference


def applicant_signs(w):
    agreement = _proposed_agreement(w)
    Notification.objects.all().delete()
    benefit_services.agreement_sign(actor=w["researcher"], agreement=agreement)
    return agreement.application.reference


def report_obligation(w):
    agreement = _signed_agreement(w)
    obligation = agreement.obligations.get()
    Notification.objects.all().delete()
    benefit_services.obligation_report(
        actor=w["researcher"],
        obligation=obligation,
        text="Paid by bank transfer.",
        amount_minor=obligation.amount_minor,
        currency=obligation.currency,
    )
    return agreement.application.reference


def file_harm_report(w):
    return _harm_report(w).reference


def reporter_writes(w):
    report = _triaged(w)
    Notification.objects.all().delete()
    harm_services.harm_message_post(actor=w["researcher"], report=report, body="Any news?")
    return report.reference


def offer_redress(w):
    report = _triaged(w)
    Notification.objects.all().delete()
    harm_services.redress_offer(
        actor=w["harm_officer"], report=report, kind="apology", description="A written apology."
    )
    return report.reference


def accept_redress(w):
    report = _triaged(w)
    action = harm_services.redress_offer(
        actor=w["harm_officer"], report=report, kind="apology", description="A written apology."
    )
    Notification.objects.all().delete()
    harm_services.redress_accept(actor=w["researcher"], action=action)
    return report.reference


def recommend_suspension(w):
    report = _triaged(w)
    Notification.objects.all().delete()
    harm_services.harm_report_recommend_suspension(
        actor=w["harm_officer"],
        report=report,
        application=report.applications.get(),
        reason="Confirmed re-identification.",
    )
    return report.applications.get().reference


HANDOVERS = [
    # (transition, who must act next)
    (submit, "secretariat"),
    (submit, "custodian"),
    (request_revision, "researcher"),
    (resubmit, "secretariat"),
    (assign_reviewer, "reviewer"),
    (last_review_filed, "secretariat"),
    (put_forward_for_decision, "chair"),
    (put_forward_for_decision, "reviewer"),
    (approve, "benefit_officer"),
    (approve, "researcher"),
    (add_condition, "researcher"),
    (report_on_condition, "secretariat"),
    (propose_agreement, "researcher"),
    (applicant_signs, "benefit_officer"),
    (report_obligation, "benefit_officer"),
    (file_harm_report, "harm_officer"),
    (reporter_writes, "harm_officer"),
    (offer_redress, "researcher"),
    (accept_redress, "harm_officer"),
    (recommend_suspension, "chair"),
]


@pytest.mark.parametrize(
    ("transition", "next_person"),
    HANDOVERS,
    ids=[f"{t.__name__}->{who}" for t, who in HANDOVERS],
)
def test_every_handover_notifies_the_next_person(
    world, transition, next_person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reference = transition(world)
    received = Notification.objects.filter(recipient=world[next_person])
    assert received.exists(), f"{transition.__name__}: {next_person} was not told"
    texts = " ".join(f"{n.subject} {n.body}" for n in received)
    assert reference in texts or "HR-" in texts


def test_approval_of_an_amendment_does_not_ask_for_a_second_agreement(
    world, django_capture_on_commit_callbacks
):
    agreement = _signed_agreement(world)
    app = agreement.application
    for request in app.dataset_requests.all():
        application_services.dataset_request_grant(
            actor=world["custodian"], dataset_request=request
        )
    app.refresh_from_db()
    assert app.state == "active"
    app = application_services.application_amend(
        actor=world["researcher"], application=app, reason="Extend the end date."
    )
    app = application_services.application_submit(actor=world["researcher"], application=app)
    app = application_services.application_accept(actor=world["secretariat"], application=app)
    Notification.objects.all().delete()
    application_services.application_approve(
        actor=world["chair"],
        application=app,
        access_expires_on=timezone.localdate() + datetime.timedelta(days=400),
    )
    assert not Notification.objects.filter(recipient=world["benefit_officer"]).exists()


# ---- each role's home lists what waits for them ------------------------------------------


def _waiting(client, user) -> str:
    """The "Waiting for you" panel of the user's home, as text."""
    import re

    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    match = re.search(r"Waiting for you</h2>(.*?)</section>", page, re.S)
    assert match, "the home has no Waiting for you panel"
    from html import unescape

    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))))


def test_the_chairs_home_lists_the_application_put_forward(world):
    app = _awaiting(world)
    text = _waiting(world["client"], world["chair"])
    assert "Record the committee's decision" in text and app.reference in text


def test_the_secretariats_home_lists_screening_and_put_forward(world):
    screened = _submitted(world)
    ready = _reviewed(world)
    text = _waiting(world["client"], world["secretariat"])
    assert f"Screen the submission: {screened.reference}" in text
    assert f"Put forward for decision: {ready.reference}" in text


def test_the_benefit_officers_home_lists_the_agreement_to_draft(world):
    app = _approved(world)
    text = _waiting(world["client"], world["benefit_officer"])
    assert f"Draft the benefit-sharing agreement: {app.reference}" in text


def test_the_reviewers_home_lists_overdue_first_with_due_dates(world):
    from reviews.models import Assignment

    later = _in_review(world)
    review_factories.assign(later, world["secretariat"], world["reviewer"])
    overdue = _in_review(world)
    assignment = review_factories.assign(overdue, world["secretariat"], world["reviewer"])
    Assignment.objects.filter(pk=assignment.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    text = _waiting(world["client"], world["reviewer"])
    assert text.index(overdue.reference) < text.index(later.reference)
    assert "overdue since" in text and "due " in text


def test_the_custodians_and_researchers_homes_list_their_turn(world):
    app = _submitted(world)
    assert f"Decide on access to Diabetes records: {app.reference}" in _waiting(
        world["client"], world["custodian"]
    )
    application_services.application_request_revision(
        actor=world["secretariat"], application=app, message="Say more."
    )
    assert f"Answer the revision request: {app.reference}" in _waiting(
        world["client"], world["researcher"]
    )


def test_the_harm_officers_home_lists_reports_by_deadline(world):
    report = _harm_report(world)
    text = _waiting(world["client"], world["harm_officer"])
    assert f"Acknowledge the harm report: {report.reference}" in text
    assert "due " in text


def test_nothing_waiting_is_said_plainly(world, auditor):
    assert "Nothing is waiting for you." in _waiting(world["client"], auditor)


def test_committee_members_are_told_their_vote_is_due_but_not_the_recused(
    world, django_capture_on_commit_callbacks
):
    """Put forward for decision: the reviewer who filed is told a vote is due (with the link to
    the committee page); a recused member is not."""
    from reviews.models import Assignment
    from tests.factories import UserFactory

    app = _reviewed(world)
    recused_member = UserFactory(username="recused_member", roles=["reviewer"])
    review_factories.assign(app, world["secretariat"], recused_member, declare=False)
    review_services.coi_declare(
        actor=recused_member,
        assignment=Assignment.objects.get(application=app, reviewer=recused_member),
        has_conflict=True,
        details="My own project.",
    )
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        _act(world, "secretariat", app, "await-decision")
    told = Notification.objects.filter(recipient=world["reviewer"])
    assert [n.subject for n in told] == [f"Vote due: {app.reference}"]
    assert told.get().url == reverse("reviews:committee", args=[app.pk])
    assert not Notification.objects.filter(recipient=recused_member).exists()


def test_the_review_request_names_its_due_date_in_the_locale_format(world):
    """The assignment's notification says by when, as a person writes a date."""
    app = _in_review(world)
    Notification.objects.all().delete()
    due_on = review_factories.due()
    review_services.assignment_create(
        actor=world["secretariat"],
        application=app,
        reviewer=world["reviewer"],
        role="scientific",
        due_on=due_on,
    )
    body = Notification.objects.get(recipient=world["reviewer"]).body
    assert due_on.isoformat() not in body
    assert f"{due_on.day} {due_on:%B} {due_on.year}" in body
