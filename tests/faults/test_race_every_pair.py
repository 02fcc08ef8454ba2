"""Issue 12: every pair of transitions that lock the same application (or something hanging
on it) raced in two threads, each with its own PostgreSQL connection.

The table below lists the transitions by the state of the project they need (a *world*): a
live project with its agreement, obligations, a condition, a harm report with the panel's open
suspension recommendation and an accepted financial redress; the same project suspended; an
approved application waiting for a custodian's grant and the benefit officer's signature; an
application in review with two filed assessments. Every unordered pair of one world's
transitions (a transition with itself included) runs on a fresh world, released at once by a
barrier, through the services' public entry points.

After each race: no exception but a clean domain refusal (a deadlock or any other database
error fails), every transition that succeeded left its audit event, the state reached is a
legal serial order — each object's audited moves chain from the state it had before to the
state it has now, and every application move is a transition declared in the rulebook — the
project's dataset requests and grants agree with its state, and the fund's balance equals its
ledger and is never negative. At the end the audit chain verifies.

The lock order (DESIGN §7/§11): application → agreement → obligation → fund account → audit
chain head (at commit).
"""

import datetime
import itertools
import os
import threading
import time
from functools import partial

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from applications import services as application_services
from applications.models import Application, DatasetRequest
from applications.rules import APPLICATION
from benefits import services as benefit_services
from benefits.models import BenefitAgreement, FundTransaction, Obligation
from benefits.selectors import fund_positions
from harms import services as harm_services
from harms.models import RedressAction, SuspensionRecommendation
from harms.permissions import ReceiptHolder
from reviews import services as review_services
from reviews.models import Condition
from solidarity.audit.models import AuditEvent
from solidarity.audit.services import audit_verify
from solidarity.errors import DomainError
from tests.benefits.factories import ApprovedApplicationFactory, draft_agreement, fixed_payment
from tests.factories import DatasetFactory, OrganisationFactory
from tests.harms.factories import make_report

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

CLEAN = (DomainError, DjangoPermissionDenied)
REDRESS_MINOR = 10_000


# What a transition needs built beyond the live project, its agreement and condition.
NEEDS = {
    "obligation verify (fund payment)": "reported",
    "harm-linked suspension": "recommendation",
    "redress deliver": "offer",
}
NEEDS_ALL = set(NEEDS.values())


class World:
    """The ids of one fresh set of objects; the transitions load their own rows."""

    def __init__(self, **ids):
        self.__dict__.update(ids)


# ---- building the worlds -------------------------------------------------------------------


def _project_with_agreement(u, *, sign: bool, pending_request: bool = False):
    application = ApprovedApplicationFactory(
        applicant=u["researcher"], organisation=OrganisationFactory(kind="university")
    )
    pending = None
    if pending_request:
        pending = DatasetRequest.objects.create(
            application=application, dataset=DatasetFactory(custodian=u["organisation"])
        )
    condition = review_services.condition_add(
        actor=u["chair"],
        application=application,
        text="Publish the code.",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    agreement = draft_agreement(application, u["benefit_officer"])
    to_report = fixed_payment(agreement, u["benefit_officer"])
    to_verify = fixed_payment(agreement, u["benefit_officer"])
    benefit_services.agreement_propose(actor=u["benefit_officer"], agreement=agreement)
    benefit_services.agreement_sign(actor=u["researcher"], agreement=agreement)
    if sign:
        benefit_services.agreement_sign(actor=u["benefit_officer"], agreement=agreement)
    return application, agreement, pending, condition, to_report, to_verify


def live_world(u, *, suspended=False, needs=frozenset(NEEDS_ALL)) -> World:
    """Only the parts the two racing transitions need are built (the rest costs time)."""
    application, agreement, _, condition, to_report, to_verify = _project_with_agreement(
        u, sign=True
    )
    application.refresh_from_db()
    assert application.state == "active"
    if "reported" in needs:
        benefit_services.obligation_report(
            actor=u["researcher"],
            obligation=to_verify,
            text="Paid.",
            amount_minor=to_verify.amount_minor,
            currency="EUR",
        )
    recommendation = offer = None
    if "recommendation" in needs:
        report, _ = make_report()
        harm_services.harm_report_triage(
            actor=u["harm_officer"], report=report, severity="critical", applications=[application]
        )
        recommendation = harm_services.harm_report_recommend_suspension(
            actor=u["harm_officer"],
            report=report,
            application=application,
            reason="Re-identified.",
        ).pk
    if "offer" in needs:
        other, _ = make_report()
        harm_services.harm_report_triage(actor=u["harm_officer"], report=other, severity="severe")
        offer = harm_services.redress_offer(
            actor=u["harm_officer"],
            report=other,
            kind="financial",
            description="Support.",
            amount_minor=REDRESS_MINOR,
        )
        harm_services.redress_accept(actor=ReceiptHolder(report_id=other.pk), action=offer)
        offer = offer.pk
    if suspended:
        application_services.application_suspend(
            actor=u["chair"], application=application, reason="Paused."
        )
    return World(
        application=application.pk,
        agreement=agreement.pk,
        condition=condition.pk,
        to_report=to_report.pk,
        to_verify=to_verify.pk,
        recommendation=recommendation,
        offer=offer,
    )


def activation_world(u) -> World:
    application, agreement, pending, condition, _, _ = _project_with_agreement(
        u, sign=False, pending_request=True
    )
    return World(
        application=application.pk,
        agreement=agreement.pk,
        request=pending.pk,
        condition=condition.pk,
    )


def review_world(u) -> World:
    from tests.applications import factories as application_factories
    from tests.reviews import factories as review_factories

    application = application_factories.in_review(
        u["researcher"], u["secretariat"], datasets=[u["dataset"]]
    )
    for reviewer in (u["reviewer"], u["other_reviewer"]):
        review_factories.file_review(
            review_factories.assign(application, u["secretariat"], reviewer), u["framework"]
        )
    return World(application=application.pk)


# ---- the transitions, by world --------------------------------------------------------------
# Each entry: name → (audit action it leaves when it succeeds, prepare(world, users) → call).
# ``prepare`` runs in the thread before the barrier, so loading rows is not part of the race.


def _app(w):
    return Application.objects.get(pk=w.application)


def _ob(pk):
    return Obligation.objects.get(pk=pk)


def _agreement(w):
    return BenefitAgreement.objects.get(pk=w.agreement)


LIVE = {
    "suspend": (
        "application.suspend",
        lambda w, u: partial(
            application_services.application_suspend,
            actor=u["chair"],
            application=_app(w),
            reason="Race.",
        ),
    ),
    "revoke": (
        "application.revoke",
        lambda w, u: partial(
            application_services.application_revoke,
            actor=u["chair"],
            application=_app(w),
            reason="Race.",
        ),
    ),
    "close": (
        "application.close",
        lambda w, u: partial(
            application_services.application_close,
            actor=u["researcher"],
            application=_app(w),
            final_report="Done.",
        ),
    ),
    "amend": (
        "application.amend",
        lambda w, u: partial(
            application_services.application_amend,
            actor=u["researcher"],
            application=_app(w),
            reason="One more year.",
        ),
    ),
    "obligation report": (
        "obligation.report",
        lambda w, u: partial(
            benefit_services.obligation_report,
            actor=u["researcher"],
            obligation=_ob(w.to_report),
            text="Paid.",
            amount_minor=150_000,
            currency="EUR",
        ),
    ),
    "obligation verify (fund payment)": (
        "obligation.verify",
        lambda w, u: partial(
            benefit_services.obligation_verify,
            actor=u["benefit_officer"],
            obligation=_ob(w.to_verify),
        ),
    ),
    "condition fulfil": (
        "condition.met",
        lambda w, u: partial(
            review_services.condition_settle,
            actor=u["secretariat"],
            condition=Condition.objects.get(pk=w.condition),
            outcome="met",
        ),
    ),
    "redress deliver": (
        "redress.deliver",
        lambda w, u: partial(
            harm_services.redress_deliver,
            actor=u["harm_officer"],
            action=RedressAction.objects.get(pk=w.offer),
            note="Paid.",
        ),
    ),
    "harm-linked suspension": (
        "harm_report.suspension_executed",
        lambda w, u: partial(
            harm_services.suspension_recommendation_execute,
            actor=u["chair"],
            recommendation=SuspensionRecommendation.objects.get(pk=w.recommendation),
        ),
    ),
    "agreement terminate": (
        "benefit_agreement.terminate",
        lambda w, u: partial(
            benefit_services.agreement_terminate,
            actor=u["benefit_officer"],
            agreement=_agreement(w),
            reason="Race.",
        ),
    ),
}

SUSPENDED = {
    "reinstate (grants issued)": (
        "application.reinstate",
        lambda w, u: partial(
            application_services.application_reinstate, actor=u["chair"], application=_app(w)
        ),
    ),
    **{
        name: LIVE[name]
        for name in ("revoke", "close", "obligation verify (fund payment)", "redress deliver")
    },
}

ACTIVATION = {
    "dataset grant": (
        "dataset_request.grant",
        lambda w, u: partial(
            application_services.dataset_request_grant,
            actor=u["custodian"],
            dataset_request=DatasetRequest.objects.get(pk=w.request),
        ),
    ),
    "dataset refuse": (
        "dataset_request.decline",
        lambda w, u: partial(
            application_services.dataset_request_decline,
            actor=u["custodian"],
            dataset_request=DatasetRequest.objects.get(pk=w.request),
            reason="Not this dataset.",
        ),
    ),
    "agreement sign (activation)": (
        "benefit_agreement.sign",
        lambda w, u: partial(
            benefit_services.agreement_sign, actor=u["benefit_officer"], agreement=_agreement(w)
        ),
    ),
    "condition fulfil": LIVE["condition fulfil"],
}

REVIEW = {
    "vote": (
        "vote.cast",
        lambda w, u: partial(
            review_services.vote_cast, actor=u["reviewer"], application=_app(w), choice="approve"
        ),
    ),
    "other vote": (
        "vote.cast",
        lambda w, u: partial(
            review_services.vote_cast,
            actor=u["other_reviewer"],
            application=_app(w),
            choice="approve",
        ),
    ),
    "decide": (
        "decision.record",
        lambda w, u: partial(
            review_services.decision_record,
            actor=u["chair"],
            application=_app(w),
            outcome="approved",
            reason="Sound.",
            access_expires_on=timezone.localdate() + datetime.timedelta(days=365),
        ),
    ),
    "withdraw": (
        "application.withdraw",
        lambda w, u: partial(
            application_services.application_withdraw, actor=u["researcher"], application=_app(w)
        ),
    ),
    "request revision": (
        "application.request_revision",
        lambda w, u: partial(
            application_services.application_request_revision,
            actor=u["secretariat"],
            application=_app(w),
            message="Clarify.",
        ),
    ),
}

WORLDS = {
    "live": (lambda u, needs: live_world(u, needs=needs), LIVE),
    "suspended": (lambda u, needs: live_world(u, suspended=True, needs=needs), SUSPENDED),
    "activation": (lambda u, needs: activation_world(u), ACTIVATION),
    "review": (lambda u, needs: review_world(u), REVIEW),
}


# ---- racing and checking ------------------------------------------------------------------


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, prepare):
        try:
            call = prepare()
            barrier.wait(timeout=30)
            call()
            results[i] = "ok"
        except CLEAN as exc:
            results[i] = type(exc).__name__
        except Exception as exc:  # a deadlock, or anything else: reported by the caller
            results[i] = f"ERROR {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _state_of(target_type, target_id):
    try:
        model = django_apps.get_model(target_type)
    except (LookupError, ValueError):
        return None
    if not any(f.name == "state" for f in model._meta.fields):
        return None
    return model.objects.filter(pk=target_id).values_list("state", flat=True).first()


def _problems(world, names, actions, results, since) -> list[str]:
    problems = [f"{n}: {r}" for n, r in zip(names, results, strict=True) if r.startswith("ERROR")]
    events = list(AuditEvent.objects.filter(id__gt=since).select_related("actor").order_by("id"))
    seen_actions = [e.action for e in events]
    for name, action, result in zip(names, actions, results, strict=True):
        if result == "ok" and action not in seen_actions:
            problems.append(f"{name} succeeded without its audit event {action}")
    if names[0] == names[1] and results.count("ok") > 1 and actions[0] != "vote.cast":
        problems.append(f"{names[0]} succeeded twice")
    # A legal serial order: each object's audited moves chain, and end where the row is now.
    chains: dict = {}
    for e in events:
        if e.from_state and e.to_state:
            chains.setdefault((e.target_type, e.target_id), []).append(e)
    for (target_type, target_id), moves in chains.items():
        for before, after in itertools.pairwise(moves):
            if before.to_state != after.from_state:
                problems.append(
                    f"{target_type} {target_id}: {before.action} → {before.to_state}, then "
                    f"{after.action} from {after.from_state}"
                )
        stored = _state_of(target_type, target_id)
        if stored is not None and stored != moves[-1].to_state:
            problems.append(f"{target_type} {target_id}: audited {moves[-1].to_state}, is {stored}")
        if target_type == "applications.application":
            for move in moves:
                if not any(
                    t.action == move.action
                    and move.from_state in t.sources
                    and t.target == move.to_state
                    for t in APPLICATION
                ):
                    problems.append(f"undeclared {move.action} {move.from_state}→{move.to_state}")
    application = Application.objects.get(pk=world.application)
    if application.state in ("suspended", "revoked", "closed"):
        if application.dataset_requests.filter(state="granted").exists():
            problems.append(f"{application.state} project with a granted dataset request")
        if application.grants.filter(ended_at__isnull=True).exists():
            problems.append(f"{application.state} project with a current grant")
    ledger = FundTransaction.objects.filter(currency="EUR").aggregate(s=Sum("amount_minor"))["s"]
    position = fund_positions().get("EUR")
    if position is not None:
        if position["balance"] != int(ledger or 0):
            problems.append(f"fund balance {position['balance']} != ledger {ledger}")
        if position["balance"] < 0 or position["available"] < 0:
            problems.append(f"fund below zero: {position}")
    return problems


# RACE_ROUNDS repeats each pair; the deep profile (make test-deep) repeats it three times.
ROUNDS = int(
    os.environ.get("RACE_ROUNDS", 3 if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else 1)
)


@pytest.fixture
def framework(db):
    return review_services.framework_loaded(review_services.framework_ensure_default().pk)


@pytest.fixture
def dataset(organisation):
    return DatasetFactory(custodian=organisation, title="Diabetes records")


@pytest.mark.parametrize("world_name", list(WORLDS))
def test_every_pair_of_transitions_races_cleanly(
    world_name,
    researcher,
    secretariat,
    chair,
    custodian,
    organisation,
    benefit_officer,
    harm_officer,
    reviewer,
    other_reviewer,
    dataset,
    framework,
):
    users = {
        "researcher": researcher,
        "secretariat": secretariat,
        "chair": chair,
        "custodian": custodian,
        "organisation": organisation,
        "benefit_officer": benefit_officer,
        "harm_officer": harm_officer,
        "reviewer": reviewer,
        "other_reviewer": other_reviewer,
        "dataset": dataset,
        "framework": framework,
    }
    benefit_services.fund_receive(
        actor=benefit_officer, amount_minor=10_000_000, currency="EUR", reason="Contributions"
    )
    build, table = WORLDS[world_name]
    pairs = list(itertools.combinations_with_replacement(sorted(table), 2))
    failures, outcomes = [], {}
    started = time.monotonic()
    for a, b in pairs:
        for _ in range(ROUNDS):
            world = build(users, {NEEDS[n] for n in (a, b) if n in NEEDS})
            since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            results = _race(
                [
                    partial(table[a][1], world, users),
                    partial(table[b][1], world, users),
                ]
            )
            outcomes.setdefault((a, b), set()).add(tuple(results))
            for problem in _problems(world, (a, b), (table[a][0], table[b][0]), results, since):
                failures.append(f"{a} x {b}: {problem}")
    assert not failures, "\n".join(failures)
    assert audit_verify().ok
    print(f"\n{world_name}: {len(pairs)} pairs x {ROUNDS} in {time.monotonic() - started:.1f} s")
    for pair, seen in sorted(outcomes.items()):
        print(f"  {pair[0]} x {pair[1]}: {sorted(seen)}")
