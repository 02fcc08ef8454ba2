"""The rulebook kernel: one function checks the actor and the state, changes, saves, audits."""

import pytest

from applications import rules
from applications.models import Application
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.transitions import StateMachine, Transition, transition_run
from tests.applications import factories
from tests.factories import DatasetFactory


@pytest.fixture
def submitted(researcher):
    return factories.submitted(researcher, datasets=[DatasetFactory()])


def test_a_move_changes_the_state_and_appends_its_event(secretariat, submitted):
    result = transition_run(
        rules.APPLICATION,
        "request-revision",
        actor=secretariat,
        obj=submitted,
        text="  Add the protocol.  ",
    )
    assert (result.state, result.state_reason) == ("revision_requested", "Add the protocol.")
    event = AuditEvent.objects.for_target(submitted).latest("id")
    assert (event.action, event.from_state, event.to_state) == (
        "application.request_revision",
        "submitted",
        "revision_requested",
    )
    assert event.payload == {"message": "Add the protocol."}


def test_the_actor_is_checked_before_the_state(outsider, researcher, submitted):
    with pytest.raises(PermissionDenied):
        transition_run(rules.APPLICATION, "accept", actor=outsider, obj=submitted)
    with pytest.raises(TransitionNotAllowed, match="cannot be submitted"):
        transition_run(rules.APPLICATION, "submit", actor=researcher, obj=submitted)


def test_a_missing_text_changes_nothing(secretariat, submitted):
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        transition_run(rules.APPLICATION, "reject", actor=secretariat, obj=submitted, text=" ")
    assert "reason" in caught.value.field_errors
    assert Application.objects.get(pk=submitted.pk).state == "submitted"
    assert AuditEvent.objects.count() == before


def test_prepare_runs_on_the_locked_row_and_may_refuse(secretariat, submitted):
    def refuse(application):
        raise TransitionNotAllowed("Not today.")

    with pytest.raises(TransitionNotAllowed, match="Not today"):
        transition_run(
            rules.APPLICATION, "accept", actor=secretariat, obj=submitted, prepare=refuse
        )
    assert Application.objects.get(pk=submitted.pk).state == "submitted"


def test_a_guard_refuses_with_its_message(researcher, submitted):
    Application.objects.filter(pk=submitted.pk).update(activated_at="2026-01-01T00:00:00Z")
    with pytest.raises(TransitionNotAllowed, match="closed with a final report"):
        transition_run(
            rules.APPLICATION,
            "withdraw",
            actor=researcher,
            obj=Application.objects.get(pk=submitted.pk),
        )


def test_a_machine_refuses_two_moves_of_one_name():
    with pytest.raises(ValueError):
        StateMachine(
            name="x",
            transitions=[
                Transition("go", ("a",), "b", lambda u, o: True, "x.go"),
                Transition("go", ("b",), "c", lambda u, o: True, "x.go"),
            ],
        )


def test_every_declared_move_names_an_audit_action_and_a_known_predicate():
    from reviews.rules import CONDITION

    for machine in (rules.APPLICATION, rules.DATASET_REQUEST, CONDITION):
        for move in machine:
            assert move.action
            assert callable(machine.predicate(move))
            assert not move.needs_text or move.text_label or not move.offered
