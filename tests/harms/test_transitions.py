"""Every transition of DESIGN §5: the legal move, illegal starting states, refused actors, audit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harms import services
from harms.models import HarmReport
from harms.permissions import ReceiptHolder
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from .factories import make_report

pytestmark = pytest.mark.django_db

ALL_STATES = [
    "received",
    "triaged",
    "investigating",
    "redress_offered",
    "resolved",
    "closed_no_action",
    "referred",
]


def _force(report, state):
    """Put a report in a state for a test (the services are what move it in real life)."""
    HarmReport.objects.filter(pk=report.pk).update(state=state, decided_at=timezone.now())
    report.refresh_from_db()
    return report


def _last_event(obj):
    return AuditEvent.objects.for_target(obj).latest("id")


MOVES = {
    "triage": (
        ["received"],
        lambda a, r: services.harm_report_triage(actor=a, report=r, severity="severe"),
    ),
    "investigate": (["triaged"], lambda a, r: services.harm_report_investigate(actor=a, report=r)),
    "resolve": (
        ["redress_offered"],
        lambda a, r: services.harm_report_resolve(actor=a, report=r, outcome="Apology delivered."),
    ),
    "close": (
        ["received", "triaged", "investigating"],
        lambda a, r: services.harm_report_close(
            actor=a, report=r, reasons="Not linked to any data use we govern."
        ),
    ),
    "refer": (
        ["received", "triaged", "investigating", "redress_offered"],
        lambda a, r: services.harm_report_refer(
            actor=a, report=r, referred_to="Data-protection authority", reasons="GDPR"
        ),
    ),
}
TARGET = {
    "triage": "triaged",
    "investigate": "investigating",
    "resolve": "resolved",
    "close": "closed_no_action",
    "refer": "referred",
}


@pytest.mark.parametrize("move", list(MOVES))
def test_legal_moves_change_state_and_are_audited(move, report, harm_officer):
    starts, call = MOVES[move]
    _force(report, starts[0])
    result = call(harm_officer, report)
    assert result.state == TARGET[move]
    event = _last_event(report)
    assert event.action == f"harm_report.{move}"
    assert event.actor == harm_officer
    assert (event.from_state, event.to_state) == (starts[0], TARGET[move])
    assert "dana@example.org" not in str(event.payload)


@pytest.mark.parametrize(
    "move,state",
    [(m, s) for m, (starts, _c) in MOVES.items() for s in ALL_STATES if s not in starts],
)
def test_illegal_starting_states_are_refused(move, state, report, harm_officer):
    _force(report, state)
    with pytest.raises(TransitionNotAllowed):
        MOVES[move][1](harm_officer, report)
    report.refresh_from_db()
    assert report.state == state


@pytest.mark.parametrize("move", list(MOVES))
@pytest.mark.parametrize("who", ["auditor", "chair", "researcher", "outsider", "benefit_officer"])
def test_only_harm_officers_move_reports(move, who, request, report):
    starts, call = MOVES[move]
    _force(report, starts[0])
    with pytest.raises(PermissionDenied):
        call(request.getfixturevalue(who), report)
    report.refresh_from_db()
    assert report.state == starts[0]


def test_triage_confirms_links_and_acknowledges(report, harm_officer, project):
    services.harm_report_triage(
        actor=harm_officer, report=report, severity="critical", applications=[project]
    )
    report.refresh_from_db()
    assert report.severity == "critical" and report.links_confirmed
    assert report.acknowledged_at is not None
    assert list(report.applications.all()) == [project]
    assert _last_event(report).payload["applications"] == [project.pk]


def test_triage_needs_a_valid_severity(report, harm_officer):
    with pytest.raises(DomainError):
        services.harm_report_triage(actor=harm_officer, report=report, severity="apocalyptic")


def test_acknowledge_sends_a_message_once(report, harm_officer):
    services.harm_report_acknowledge(actor=harm_officer, report=report, message="Received.")
    assert _last_event(report).action == "harm_report.acknowledge"
    with pytest.raises(TransitionNotAllowed):
        services.harm_report_acknowledge(actor=harm_officer, report=report, message="Again")


def test_close_and_refer_need_reasons(report, harm_officer):
    with pytest.raises(DomainError):
        services.harm_report_close(actor=harm_officer, report=report, reasons=" ")
    with pytest.raises(DomainError):
        services.harm_report_refer(actor=harm_officer, report=report, referred_to="", reasons="x")


def test_closing_sends_the_reasons_to_the_reporter(client, report, receipt_code, harm_officer):
    services.harm_report_close(actor=harm_officer, report=report, reasons="Outside our remit.")
    client.post(reverse("harms:status"), {"code": receipt_code})
    body = client.get(reverse("harms:status")).content.decode()
    assert "Outside our remit." in body and "Closed without action" in body


def test_resolve_waits_for_pending_redress(investigating, harm_officer):
    services.redress_offer(
        actor=harm_officer, report=investigating, kind="apology", description="A letter."
    )
    with pytest.raises(TransitionNotAllowed):
        services.harm_report_resolve(actor=harm_officer, report=investigating, outcome="Done")


def test_offering_redress_moves_the_report(investigating, harm_officer):
    action = services.redress_offer(
        actor=harm_officer, report=investigating, kind="counselling", description="Six sessions."
    )
    investigating.refresh_from_db()
    assert investigating.state == "redress_offered"
    assert _last_event(investigating).action == "harm_report.offer_redress"
    assert _last_event(action).action == "redress.offer"


# Appeals


def _closed(report, officer):
    return services.harm_report_close(actor=officer, report=report, reasons="No link found.")


def test_reporter_appeals_within_the_window_and_the_case_reopens(
    report, receipt_code, harm_officer
):
    _closed(report, harm_officer)
    services.harm_report_appeal(
        actor=ReceiptHolder(report_id=report.pk), report=report, grounds="You missed my letter."
    )
    report.refresh_from_db()
    assert report.state == "investigating" and report.appealed_at is not None
    assert report.decision_due > timezone.now()
    event = _last_event(report)
    assert event.action == "harm_report.appeal" and event.actor is None
    assert event.from_state == "closed_no_action"


def test_appeal_after_the_window_is_refused(report, harm_officer, settings):
    settings.HARM_APPEAL_WINDOW_DAYS = 10
    _closed(report, harm_officer)
    HarmReport.objects.filter(pk=report.pk).update(decided_at=timezone.now() - timedelta(days=11))
    report.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.harm_report_appeal(
            actor=ReceiptHolder(report_id=report.pk), report=report, grounds="Late"
        )


def test_only_one_appeal(report, harm_officer):
    holder = ReceiptHolder(report_id=report.pk)
    _closed(report, harm_officer)
    services.harm_report_appeal(actor=holder, report=report, grounds="First")
    _closed(report, harm_officer)
    with pytest.raises(TransitionNotAllowed):
        services.harm_report_appeal(actor=holder, report=report, grounds="Second")


@pytest.mark.parametrize("state", ["received", "triaged", "investigating", "redress_offered"])
def test_open_cases_cannot_be_appealed(state, report):
    _force(report, state)
    with pytest.raises(TransitionNotAllowed):
        services.harm_report_appeal(
            actor=ReceiptHolder(report_id=report.pk), report=report, grounds="x"
        )


@pytest.mark.parametrize("who", ["harm_officer", "outsider", "other_code"])
def test_only_the_reporter_may_appeal(who, request, report, harm_officer):
    _closed(report, harm_officer)
    actor = (
        ReceiptHolder(report_id=report.pk + 1000)
        if who == "other_code"
        else request.getfixturevalue(who)
    )
    with pytest.raises(PermissionDenied):
        services.harm_report_appeal(actor=actor, report=report, grounds="x")


def test_signed_in_reporter_appeals_through_the_page(client, researcher, harm_officer):
    report, _ = make_report(actor=researcher)
    _closed(report, harm_officer)
    client.force_login(researcher)
    response = client.post(reverse("harms:appeal", args=[report.pk]), {"appeal-grounds": "No!"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "investigating"


# HTML actions


def test_officer_triages_through_the_console(client, report, harm_officer, project):
    client.force_login(harm_officer)
    response = client.post(
        reverse("harms:action", args=[report.pk, "triage"]),
        {"triage-severity": "severe", "triage-applications": [project.pk], "triage-note": "n"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "triaged" and report.severity == "severe"


def test_an_illegal_console_action_shows_a_message_not_a_500(client, report, harm_officer):
    client.force_login(harm_officer)
    response = client.post(
        reverse("harms:action", args=[report.pk, "resolve"]), {"resolve-outcome": "Done"}
    )
    assert response.status_code == 400
    assert "cannot be resolved" in response.content.decode()


def test_an_invalid_console_form_comes_back_filled(client, report, harm_officer):
    client.force_login(harm_officer)
    response = client.post(
        reverse("harms:action", args=[report.pk, "refer"]),
        {"refer-referred_to": "", "refer-reasons": "Kept reasons"},
    )
    assert response.status_code == 400
    assert "Kept reasons" in response.content.decode()


@pytest.mark.parametrize("who", ["auditor", "researcher", "outsider", "chair"])
def test_others_cannot_use_the_console(who, request, client, report):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("harms:action", args=[report.pk, "triage"]), {"triage-severity": "low"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == "received"


def test_reporter_message_by_officer_counts_as_acknowledgement(report, harm_officer):
    services.harm_message_post(actor=harm_officer, report=report, body="We read it.")
    report.refresh_from_db()
    assert report.acknowledged_at is not None
    assert _last_event(report).action == "harm_report.message"


def test_reporters_cannot_write_internal_notes(report):
    with pytest.raises(PermissionDenied):
        services.harm_message_post(
            actor=ReceiptHolder(report_id=report.pk), report=report, body="x", internal=True
        )


def test_auditor_reads_the_queue_and_case_but_has_no_console(client, report, auditor, harm_officer):
    services.harm_message_post(
        actor=harm_officer, report=report, body="Lead: clinic Z", internal=True
    )
    client.force_login(auditor)
    assert report.reference in client.get(reverse("harms:queue")).content.decode()
    body = client.get(reverse("harms:detail", args=[report.pk])).content.decode()
    assert "Lead: clinic Z" in body  # internal notes are part of the record
    assert reverse("harms:action", args=[report.pk, "triage"]) not in body


def test_officer_console_offers_only_the_moves_the_state_allows(client, report, harm_officer):
    client.force_login(harm_officer)
    body = client.get(reverse("harms:detail", args=[report.pk])).content.decode()
    assert reverse("harms:action", args=[report.pk, "triage"]) in body
    assert reverse("harms:action", args=[report.pk, "resolve"]) not in body
    services.harm_report_triage(actor=harm_officer, report=report, severity="low")
    body = client.get(reverse("harms:detail", args=[report.pk])).content.decode()
    assert reverse("harms:action", args=[report.pk, "triage"]) not in body
    assert reverse("harms:action", args=[report.pk, "investigate"]) in body
