"""The committee's record: quorum, votes, the type, the decision, and approval conditions."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.rules import CONDITION_WINDOW
from solidarity import audit
from solidarity.accounts.roles import Role, has_role
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.formatting import day
from solidarity.notifications.services import notify
from solidarity.transitions import transition_run

from ..models import (
    Assignment,
    AssignmentState,
    CommitteeFile,
    Condition,
    ConditionKind,
    ConditionState,
    Decision,
    DecisionOutcome,
    RiskItem,
    UseType,
    Vote,
    VoteChoice,
)
from ..permissions import (
    REVIEW_STATES,
    can_decide,
    can_mark_conditions,
    can_set_conditions,
    is_voting_member,
)
from ..selectors import classification_for, significant_risks, vote_tally


def default_quorum() -> int:
    return max(int(getattr(settings, "REVIEW_QUORUM", 2)), 1)


def committee_file_for(application) -> CommitteeFile:
    """The committee's file on an application, created with the default quorum when missing."""
    committee, _created = CommitteeFile.objects.get_or_create(
        application_id=application.pk, defaults={"quorum": default_quorum()}
    )
    return committee


def _lock(application):
    from applications.models import Application

    application = Application.objects.select_for_update().get(pk=application.pk)
    committee_file_for(application)
    committee = CommitteeFile.objects.select_for_update().get(application=application)
    return application, committee


def committee_set_quorum(*, actor, application, quorum: int) -> CommitteeFile:
    """Set how many votes of non-recused members a committee decision needs.

    Preconditions: secretariat or chair; undecided application; quorum ≥ 1.
    Side effects: audit ``committee.quorum``.
    """
    if not (actor.is_authenticated and has_role(actor, Role.SECRETARIAT, Role.CHAIR)):
        raise PermissionDenied(_("Only the secretariat or the chair sets the quorum."))
    if not isinstance(quorum, int) or quorum < 1:
        raise DomainError(_("The quorum is at least one vote."), field_errors={"quorum": ["≥ 1"]})
    with transaction.atomic():
        application, committee = _lock(application)
        if committee.outcome != DecisionOutcome.PENDING:
            raise TransitionNotAllowed(_("The application is decided already."))
        before = committee.quorum
        committee.quorum = quorum
        committee.save(update_fields=["quorum"])
        audit.record(
            actor=actor,
            action="committee.quorum",
            target=application,
            payload={"from": before, "to": quorum},
        )
    return committee


def vote_cast(*, actor, application, choice: str, voter=None, comment: str = "") -> Vote:
    """Record a member's vote (a member votes for themself; the chair may record anyone's).

    Preconditions: the application is in review or awaiting decision and undecided; the voter is
    a voting member (a non-recused assigned reviewer or the chair); a member changes their vote
    by voting again. Side effects: audit ``vote.cast``.
    """
    voter = voter or actor
    if choice not in VoteChoice.values:
        raise DomainError(_("Choose a vote."), field_errors={"choice": [_("Choose a vote.")]})
    if voter.pk != actor.pk and not can_decide(actor):
        raise PermissionDenied(_("Only the chair records another member's vote."))
    with transaction.atomic():
        application, committee = _lock(application)
        if application.state not in REVIEW_STATES or committee.outcome != DecisionOutcome.PENDING:
            raise TransitionNotAllowed(
                _("Votes are taken only while the application is in review.")
            )
        assignments = list(Assignment.objects.filter(application=application))
        if not is_voting_member(voter, application, assignments):
            raise PermissionDenied(
                _("Only the chair and non-recused reviewers of this application vote.")
            )
        vote, created = Vote.objects.update_or_create(
            application=application,
            round=committee.round,
            voter=voter,
            defaults={"choice": choice, "comment": comment, "recorded_by": actor},
        )
        audit.record(
            actor=actor,
            action="vote.cast",
            target=application,
            payload={
                "voter": voter.get_username(),
                "choice": choice,
                "changed": not created,
                "round": committee.round,
            },
        )
    return vote


def committee_tell_vote_due(application, actor) -> None:
    """Hand-over when an application is put forward for decision: each committee member who
    reviewed it (not recused) and has not voted in this round is told that their vote is due.
    The chair is told by the applications service (the decision is theirs)."""
    from solidarity.notifications.services import notify

    committee = CommitteeFile.objects.filter(application_id=application.pk).first()
    current = committee.round if committee else 1
    voted = Vote.objects.filter(application_id=application.pk, round=current).values("voter_id")
    members = [
        assignment.reviewer
        for assignment in Assignment.objects.filter(application_id=application.pk)
        .exclude(state=AssignmentState.RECUSED)
        .exclude(reviewer_id__in=voted)
        .select_related("reviewer")
    ]
    notify(
        recipients=members,
        kind="application",
        context=lambda: {
            "subject": _("Vote due: %(ref)s") % {"ref": application.reference},
            "body": _(
                "%(title)s is put forward for the committee's decision. Please cast your vote "
                "on the committee page."
            )
            % {"title": application.title},
        },
        url=f"/reviews/applications/{application.pk}/committee/",
    )


def committee_open_round(application, actor) -> None:
    """Submission hook: the submitted version of an approved project (an amendment) opens a
    new round of the committee — its own votes, type and decision — on the same file.

    Runs inside the submission's transaction. Side effect: audit ``committee.round_open``."""
    if application.approved_version is None:
        return
    committee = (
        CommitteeFile.objects.select_for_update().filter(application_id=application.pk).first()
    )
    if committee is None or committee.outcome == DecisionOutcome.PENDING:
        return
    before = committee.round
    committee.round = before + 1
    committee.outcome = DecisionOutcome.PENDING
    committee.override_type = ""
    committee.override_reason = ""
    committee.overridden_by = None
    committee.decision_reason = ""
    committee.decided_by = None
    committee.decided_at = None
    committee.decided_type = ""
    committee.save()
    audit.record(
        actor=actor,
        action="committee.round_open",
        target=application,
        payload={
            "round": committee.round,
            "version": application.current_version,
            "approved_version": application.approved_version,
        },
    )


def classification_set(*, actor, application, use_type: str, reason: str) -> CommitteeFile:
    """The chair confirms or overrides the computed type, always with a written reason
    when it differs from the computed one (or when there is none, e.g. a mixed result).

    Preconditions: chair; undecided; the type is A-D. Side effects: audit
    ``classification.override`` with the computed and the chosen type.
    """
    if not can_decide(actor):
        raise PermissionDenied(_("Only the chair sets the type."))
    reason = (reason or "").strip()
    if use_type not in (UseType.A, UseType.B, UseType.C, UseType.D):
        raise DomainError(_("Choose a type from A to D."), field_errors={"use_type": [_("A-D.")]})
    with transaction.atomic():
        application, committee = _lock(application)
        if committee.outcome != DecisionOutcome.PENDING:
            raise TransitionNotAllowed(_("The application is decided already."))
        computed = classification_for(application).computed_type
        if use_type != computed and not reason:
            raise DomainError(
                _("Give the reason for setting a type other than the computed one."),
                field_errors={"reason": [_("A written reason is required.")]},
            )
        before = committee.override_type
        committee.override_type = use_type
        committee.override_reason = reason
        committee.overridden_by = actor
        committee.save(update_fields=["override_type", "override_reason", "overridden_by"])
        audit.record(
            actor=actor,
            action="classification.override",
            target=application,
            from_state=before,
            to_state=use_type,
            payload={"computed": computed, "type": use_type, "reason": reason},
        )
    return committee


def _approval_problems(application, committee, classification) -> list[str]:
    """Why DESIGN §4 forbids approving now; empty when approval is allowed."""
    problems: list[str] = []
    use_type = classification.effective_type
    if use_type in (None, UseType.MIXED):
        return [_("The type is mixed or not computed yet: the chair must set a type first.")]
    if use_type == UseType.D:
        return [_("Type D (high risk, low public value) is prohibited and cannot be approved.")]
    if not classification.chair_may_approve_alone:
        tally = vote_tally(application, quorum=committee.quorum)
        if not tally.quorate:
            problems.append(
                _("The vote is not quorate: %(counted)s of %(quorum)s votes needed.")
                % {"counted": tally.counted, "quorum": committee.quorum}
            )
        elif tally.in_favour <= tally.reject:
            problems.append(_("The committee did not vote to approve."))
    if use_type == UseType.C:
        conditions = list(Condition.objects.filter(application=application))
        covered = {c.risk_id for c in conditions if c.risk_id and c.state != ConditionState.WAIVED}
        for risk in significant_risks(application):
            if risk.pk not in covered:
                problems.append(
                    _(
                        "The significant risk “%(risk)s” (residual score %(score)s) has no "
                        "approval condition."
                    )
                    % {"risk": risk.description[:80], "score": risk.residual_score}
                )
        if not any(
            c.kind == ConditionKind.HARM_MONITORING and c.state != ConditionState.WAIVED
            for c in conditions
        ):
            problems.append(_("Type C needs a harm-monitoring condition."))
    return problems


def decision_record(
    *,
    actor,
    application,
    outcome: str,
    reason: str,
    access_expires_on: datetime.date | None = None,
) -> CommitteeFile:
    """The chair records the committee's decision, enforcing DESIGN §4.

    Preconditions: chair; the application is in review or awaiting decision. Approving needs
    a type (mixed needs the chair's type), never type D; every type but A needs a quorate vote
    in favour, and so does an A the chair set over another computed type (or a mixed one);
    type C needs a condition for every significant residual risk (≥ 12) and a
    harm-monitoring condition; an access expiry in the future. A computed and effective type A
    may be decided by the chair alone. Rejecting needs a reason and, except for types A and D
    (not reached by an override), a quorate vote. Each decision is kept as a ``Decision`` of
    its round. Side effects: ``application_approve`` / ``application_decline`` of the
    applications app; audit ``decision.record``; the applicant is notified by that app.
    """
    if not can_decide(actor):
        raise PermissionDenied(_("Only the chair records the decision."))
    reason = (reason or "").strip()
    if outcome not in (DecisionOutcome.APPROVED, DecisionOutcome.REJECTED):
        raise DomainError(
            _("Choose approve or reject."), field_errors={"outcome": [_("Required.")]}
        )
    if outcome == DecisionOutcome.REJECTED and not reason:
        raise DomainError(
            _("Give the reasons for the rejection."), field_errors={"reason": [_("Required.")]}
        )
    if outcome == DecisionOutcome.APPROVED and (
        access_expires_on is None or access_expires_on <= timezone.localdate()
    ):
        raise DomainError(
            _("Set when access expires (a future date)."),
            field_errors={"access_expires_on": [_("A future date is required.")]},
        )
    from applications import services as application_services
    from applications.rules import APPLICATION, under_amendment

    with transaction.atomic():
        application, committee = _lock(application)
        if (
            not APPLICATION.in_source_state("approve", application)
            or committee.outcome != DecisionOutcome.PENDING
        ):
            raise TransitionNotAllowed(_("Only an application in review can be decided."))
        classification = classification_for(application, committee=committee)
        use_type = classification.effective_type
        tally = vote_tally(application, quorum=committee.quorum)
        if outcome == DecisionOutcome.APPROVED:
            problems = _approval_problems(application, committee, classification)
            if problems:
                raise TransitionNotAllowed(" ".join(problems))
        elif not classification.chair_may_reject_alone and not tally.quorate:
            raise TransitionNotAllowed(
                _("The vote is not quorate: %(counted)s of %(quorum)s votes needed.")
                % {"counted": tally.counted, "quorum": committee.quorum}
            )
        amendment = under_amendment(application)
        decision = Decision.objects.create(
            application=application,
            round=committee.round,
            version=application.current_version,
            amendment=amendment,
            outcome=outcome,
            computed_type=classification.computed_type or "",
            effective_type=use_type or "",
            type_reason=committee.override_reason,
            reason=reason,
            access_expires_on=access_expires_on if outcome == DecisionOutcome.APPROVED else None,
            votes={
                "quorum": committee.quorum,
                "counted": tally.counted,
                "in_favour": tally.in_favour,
                "reject": tally.reject,
                "abstain": tally.abstain,
            },
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if outcome == DecisionOutcome.APPROVED:
            application = application_services.application_approve(
                actor=actor,
                application=application,
                access_expires_on=access_expires_on,
                decision=decision.pk,
            )
        else:
            application = application_services.application_decline(
                actor=actor, application=application, reason=reason, decision=decision.pk
            )
        committee.outcome = outcome
        committee.decision_reason = reason
        committee.decided_by = actor
        committee.decided_at = decision.decided_at
        committee.decided_type = use_type or ""
        committee.save(
            update_fields=["outcome", "decision_reason", "decided_by", "decided_at", "decided_type"]
        )
        audit.record(
            actor=actor,
            action="decision.record",
            target=application,
            to_state=outcome,
            payload={
                "decision": decision.pk,
                "round": decision.round,
                "version": decision.version,
                "amendment": amendment,
                "outcome": outcome,
                "type": use_type,
                "computed_type": classification.computed_type,
                "overridden": bool(committee.override_type)
                and committee.override_type != classification.computed_type,
                "type_reason": committee.override_reason,
                "reason": reason,
                "access_expires_on": access_expires_on.isoformat() if access_expires_on else None,
            },
        )
    return committee


# ---- conditions --------------------------------------------------------------------------


def condition_add(
    *,
    actor,
    application,
    text: str,
    due_on: datetime.date,
    kind: str = ConditionKind.GENERAL,
    owner=None,
    risk: RiskItem | None = None,
) -> Condition:
    """Attach a condition of approval (text, owner, due date), optionally mitigating a risk.

    Preconditions: chair or secretariat; the application is in review, awaiting decision or
    approved; a risk must belong to a filed assessment of this application.
    Side effects: audit ``condition.add``; the owner is notified.
    """
    if not can_set_conditions(actor):
        raise PermissionDenied(_("Only the chair or the secretariat sets conditions."))
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = [_("Say what must be done.")]
    if kind not in ConditionKind.values:
        errors["kind"] = [_("Choose a kind.")]
    if not isinstance(due_on, datetime.date):
        errors["due_on"] = [_("Give a due date.")]
    if kind == ConditionKind.MITIGATION and risk is None:
        errors["risk"] = [_("Name the risk this condition mitigates.")]
    if risk is not None and (
        risk.assessment.application_id != application.pk or risk.assessment.filed_at is None
    ):
        errors["risk"] = [_("The risk is not in a filed register of this application.")]
    if errors:
        raise DomainError(_("The condition is not complete."), field_errors=errors)
    with transaction.atomic():
        application, _committee = _lock(application)
        if application.state not in CONDITION_WINDOW:
            raise TransitionNotAllowed(_("Conditions are set while the application is reviewed."))
        condition = Condition.objects.create(
            application=application,
            kind=kind,
            risk=risk,
            text=text.strip(),
            owner=owner or application.applicant,
            due_on=due_on,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="condition.add",
            target=condition,
            to_state=ConditionState.OPEN,
            payload={
                "application": application.pk,
                "kind": kind,
                "risk": risk.pk if risk else None,
            },
        )
        notify(
            recipients=[condition.owner],
            kind="condition_added",
            context=lambda: {
                "subject": _("Condition of approval: %(ref)s") % {"ref": application.reference},
                "body": _("%(title)s: %(text)s\nDue on %(due)s.")
                % {"title": application.title, "text": condition.text, "due": day(due_on)},
            },
            url=f"/reviews/conditions/{condition.pk}/",
        )
    return condition


def _lock_condition(condition) -> Condition:
    return Condition.objects.select_for_update().select_related("application").get(pk=condition.pk)


def condition_report(*, actor, condition, report: str) -> Condition:
    """The owner (or the applicant) reports how the condition is met.

    Preconditions: the condition is open. Side effect: audit ``condition.report``.
    """
    report = (report or "").strip()
    if not report:
        raise DomainError(_("Write your report."), field_errors={"report": [_("Required.")]})
    with transaction.atomic():
        condition = _lock_condition(condition)
        if actor.pk not in (condition.owner_id, condition.application.applicant_id):
            raise PermissionDenied(_("Only the condition's owner reports on it."))
        if condition.state != ConditionState.OPEN:
            raise TransitionNotAllowed(_("This condition is closed."))
        condition.report = report
        condition.reported_at = timezone.now()
        condition.save(update_fields=["report", "reported_at"])
        audit.record(
            actor=actor,
            action="condition.report",
            target=condition,
            payload={"application": condition.application_id},
        )
        # Hand-over: the secretariat (or the chair) checks the report and marks it met.
        from django.contrib.auth import get_user_model

        notify(
            recipients=get_user_model()
            .objects.filter(groups__name__in=[Role.SECRETARIAT, Role.CHAIR], is_active=True)
            .exclude(pk=actor.pk)
            .distinct(),
            kind="review",
            context=lambda: {
                "subject": _("Condition reported: %(ref)s")
                % {"ref": condition.application.reference},
                "body": _("A report says how this condition is met; please check it: %(text)s")
                % {"text": condition.text[:200]},
            },
            url=f"/reviews/conditions/{condition.pk}/",
        )
    return condition


def condition_mark_met(*, actor, condition) -> Condition:
    """The secretariat marks an open condition met. Side effect: audit ``condition.met``."""
    from ..rules import CONDITION

    return transition_run(
        CONDITION, "met", actor=actor, obj=condition, changes={"closed_at": timezone.now()}
    )


def condition_waive(*, actor, condition, reason: str) -> Condition:
    """The secretariat waives an open condition, with a reason. Side effect: ``condition.waive``."""
    from ..rules import CONDITION

    if not can_mark_conditions(actor):
        raise PermissionDenied(_("Only the secretariat waives conditions."))
    if not (reason or "").strip():
        raise DomainError(
            _("Give the reason for waiving."), field_errors={"reason": [_("Required.")]}
        )
    return transition_run(
        CONDITION,
        "waive",
        actor=actor,
        obj=condition,
        text=reason,
        changes={"closed_at": timezone.now()},
    )


__all__ = [
    "classification_set",
    "committee_file_for",
    "committee_open_round",
    "committee_set_quorum",
    "condition_add",
    "condition_mark_met",
    "condition_report",
    "condition_waive",
    "decision_record",
    "vote_cast",
]
