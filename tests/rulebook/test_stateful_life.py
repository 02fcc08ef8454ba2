"""A stateful test of the whole life of a data use (issue 10), driven only through the REST API.

A hypothesis ``RuleBasedStateMachine`` makes random moves by random actors (every role and an
outsider): filing and submitting, screening, assignment and conflicts, assessments, votes,
decisions, custodians' grants, agreements, activation, amendments, suspension, reinstatement,
revocation, closure, expiry (the beat's service with a date), harm reports and financial
redress. After every step it checks the invariants the rulebook promises:

- no response is a server error;
- every change of an application's state is a transition declared in ``applications/rules.py``
  (action, source and target), made by an actor the rulebook's own predicate allows, and the
  audited moves account exactly for the state seen before and after the step;
- the fund's balance equals the sum of its ledger; neither balance nor available
  (balance - open reservations) goes below zero, and the API shows the same figures;
- the audit chain verifies;
- the public register lists exactly the applications the rulebook's ``public_q`` selects, and
  those are exactly the approved, active, suspended, closed and revoked ones and the active
  projects under amendment;
- after screening, no application is approved or rejected without a ``decision.record`` in the
  same request; no computed type D is approved without a quorate vote in favour, and no
  effective D is approved at all;
- the dataset requests of a suspended, revoked or closed project are not ``granted``, and its
  grants (as ``/api/v1/grants/`` shows them) are ended;
- no obligation of a closed project is still due (``benefits.selectors.obligations_due``).

Every example starts from two live projects (``build_live_projects``, once per test and kept
by rolling each example back: filed, screened, assessed, voted, decided as type A and as type C
with its conditions, granted by the custodian, an agreement drafted with an extra fixed
payment, proposed and signed by both sides, then active) and an initial random path through a
project's life by the right actors (``a_project_path_first``), so that suspension,
reinstatement, revocation, closure, amendment with a new committee round, conditions reported,
met, waived or overdue, obligations reported, verified, rejected, waived or overdue, harm
reports linked to the project and a suspension the harm panel recommends and the chair executes
are reached in most runs. Each move that succeeds is recorded (hypothesis ``event()``);
``LIFE_STATS=1`` prints in how many examples each move was reached and ``LIFE_NO_SHRINK=1``
reports a failure without the (slow) shrinking.

``make test`` runs a few examples; ``make test-deep`` (``HYPOTHESIS_PROFILE=deep``) many more.
"""

import datetime
import os
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from rest_framework.test import APIClient

from applications.models import Application, DatasetRequest
from applications.rules import AMENDMENT, APPLICATION, PUBLIC, REVIEW, public_q
from benefits.models import Obligation
from reviews.models import Condition
from solidarity.audit.models import AuditEvent
from tests.reviews import factories as review_factories

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = (
    "researcher",
    "other_researcher",
    "secretariat",
    "reviewer",
    "other_reviewer",
    "chair",
    "custodian",
    "other_custodian",
    "harm_officer",
    "benefit_officer",
    "auditor",
    "outsider",
)
FUND_EUR = 10_000_00
# The moves of a live project's life that ``project_path`` strings together.
PROJECT_MOVES = (
    "suspend",
    "suspend, reinstate",
    "amendment round",
    "condition report",
    "condition met",
    "condition waive",
    "obligation report",
    "obligation report, verify",
    "obligation report, reject",
    "obligation waive",
    "beats",
    "harm suspension",
    "harm suspension, reinstate",
    # Ending moves: a path makes at most one, last.
    "revoke",
    "close",
)
ENDING = ("revoke", "close")
ON_THE_WAY = (
    "draft",
    "revision_requested",
    "submitted",
    "in_review",
    "awaiting_decision",
    "approved",
)
# In how many examples each move succeeded at least once (printed with LIFE_STATS=1).
REACHED: Counter = Counter()

# Actors: random, but the one the move is meant for comes up more often.
anyone = st.sampled_from(ROLES)


def usually(*names):
    return st.one_of(st.sampled_from(names), anyone)


pick = st.integers(min_value=0, max_value=50)
text = st.sampled_from(["A reason.", "A reason.", "A reason.", "", "   "])


def _other_moves_follow_their_rulebooks(events):
    """Every audited change of a dataset request's, an agreement's or an obligation's state is a
    move declared in its rulebook (``applications/rules.py``, ``benefits/rules.py``)."""
    from applications.rules import DATASET_REQUEST
    from benefits.rules import AGREEMENT, OBLIGATION

    machines = {
        "dataset_request.": DATASET_REQUEST,
        "benefit_agreement.": AGREEMENT,
        "obligation.": OBLIGATION,
    }
    for audited in events:
        if not (audited.from_state and audited.to_state):
            continue  # a row made (or a side signed): no move between states
        machine = next((m for p, m in machines.items() if audited.action.startswith(p)), None)
        if machine is None:
            continue
        assert any(
            t.action == audited.action
            and audited.from_state in t.sources
            and t.target == audited.to_state
            for t in machine
        ), f"undeclared move {audited.action} {audited.from_state}->{audited.to_state}"


class LifeMachine(RuleBasedStateMachine):
    """The users, dataset, framework and live projects are made once per test (the ``life``
    fixture); each example runs inside a savepoint that is rolled back at its end."""

    users: dict = {}
    dataset = None
    framework = None
    live_projects: list[int] = []
    live_agreements: list[int] = []
    live_obligations: list[int] = []

    def __init__(self):
        super().__init__()
        from django.core.cache import cache

        cache.clear()  # throttles and lock-outs start afresh in every example
        self._atomic = transaction.atomic()
        # Like a test case's own wrapper: the audit trail is appended when the blocks inside
        # it end, as it would be at COMMIT in production (see solidarity.db).
        self._atomic._from_testcase = True
        self._atomic.__enter__()
        self.client = APIClient()
        self.apps: list[int] = list(self.live_projects)
        self.agreements: list[int] = list(self.live_agreements)
        self.reports: list[tuple[int, str]] = []
        self.offers: list[tuple[int, str]] = []
        self.quiet = False
        self.obligations: list[int] = list(self.live_obligations)
        self.reached: set[str] = set()
        self.steps = -1
        self.html = Client()
        self.last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        self.last_event = self.last_event or 0
        self._snapshot()

    def teardown(self):
        REACHED.update(self.reached)
        REACHED["(examples)"] += 1
        REACHED["(steps)"] += self.steps
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # ---- helpers ------------------------------------------------------------------------

    def call(self, who, method, path, data=None, fmt="json"):
        self.client.force_authenticate(self.users[who] if who else None)
        response = getattr(self.client, method)(path, data, format=fmt)
        assert response.status_code < 500, (who, method, path, data, response.content[:800])
        if method == "post" and response.status_code < 300 and not self.quiet:
            words = [p for p in path[len(API) :].split("/") if p and not p.isdigit()]
            self.reach(" ".join(words))
        return response

    def reach(self, move: str) -> None:
        """Record that ``move`` succeeded in this example (hypothesis statistics and
        ``LIFE_STATS=1``)."""
        event("reached: " + move)
        self.reached.add(move)

    def ok(self, response, code=200):
        """Setting up the live project must work: a refusal there is a defect."""
        assert response.status_code == code, (response.status_code, response.content[:800])
        return response.json()

    def app(self, i):
        return self.apps[i % len(self.apps)]

    def live(self, i):
        """A project that has been active and has not ended, when there is one (else one
        that has been active, else any application)."""
        rows = list(
            Application.objects.filter(pk__in=self.apps, activated_at__isnull=False)
            .order_by("pk")
            .values_list("pk", "state")
        )
        going = [pk for pk, state in rows if state not in ("closed", "revoked")]
        pool = going or [pk for pk, _state in rows]
        return pool[i % len(pool)] if pool else self.app(i)

    # ---- setup --------------------------------------------------------------------------

    @classmethod
    def build_live_projects(cls):
        """Once per test, outside the examples' savepoints: fill the fund and take one type A
        and one type C application the whole way to an active project with the right actors.
        Every example then starts from both live projects (its savepoint rolls back to them)."""
        from benefits.services import fund_receive

        fund_receive(
            actor=cls.users["benefit_officer"],
            amount_minor=FUND_EUR,
            currency="EUR",
            reason="Contributions",
        )
        driver = cls.__new__(cls)  # the helpers only, without a state machine around them
        driver.client = APIClient()
        driver.quiet = True
        driver.apps, driver.agreements, driver.obligations = [], [], []
        cls.live_projects = [driver._live_project(kind) for kind in ("A", "C")]
        cls.live_agreements = list(driver.agreements)
        cls.live_obligations = list(driver.obligations)

    def _live_project(self, kind):
        today = timezone.localdate()
        self.file_application("researcher", True)
        pk = self.apps[-1]
        self.apps = [pk]  # the helpers below pick the application by index
        base = f"{API}/applications/{pk}"
        self.ok(self.call("researcher", "post", f"{base}/submit/"))
        self.ok(self.call("secretariat", "post", f"{base}/accept/"))
        due = (today + datetime.timedelta(days=10)).isoformat()
        for reviewer in ("reviewer", "other_reviewer"):
            self.ok(
                self.call(
                    "secretariat",
                    "post",
                    f"{base}/assign/",
                    {"reviewer": self.users[reviewer].pk, "role": "scientific", "due_on": due},
                ),
                201,
            )
            self.review(0, reviewer, False, "high", "high" if kind == "A" else "low")
        if kind == "C":
            for condition_kind, days in (
                ("harm_monitoring", 60),
                ("before_activation", 20),
                ("general", 5),
            ):
                self.ok(
                    self.call(
                        "chair",
                        "post",
                        f"{base}/conditions/",
                        {
                            "text": f"A {condition_kind} condition.",
                            "due_on": (today + datetime.timedelta(days=days)).isoformat(),
                            "kind": condition_kind,
                        },
                    ),
                    201,
                )
        for reviewer in ("reviewer", "other_reviewer"):
            self.ok(self.call(reviewer, "post", f"{base}/vote/", {"choice": "approve"}), 201)
        expires = (today + datetime.timedelta(days=365)).isoformat()
        decided = self.ok(
            self.call(
                "chair",
                "post",
                f"{base}/decide/",
                {"outcome": "approved", "reason": "Sound.", "access_expires_on": expires},
            )
        )
        assert decided["type"] == kind, decided
        for request_id in DatasetRequest.objects.filter(application_id=pk).values_list(
            "pk", flat=True
        ):
            self.ok(self.call("custodian", "post", f"{API}/dataset-requests/{request_id}/grant/"))
        agreement = self.ok(
            self.call(
                "benefit_officer",
                "post",
                f"{API}/benefit-agreements/",
                {"application": pk, "kind": "public_research", "from_template": True},
            ),
            201,
        )["id"]
        self.agreements.append(agreement)
        self.ok(
            self.call(
                "benefit_officer",
                "post",
                f"{API}/obligations/",
                {
                    "agreement": agreement,
                    "kind": "fixed_payment",
                    "description": "A payment to the solidarity fund.",
                    "beneficiary": "fund",
                    "amount": "250.00",
                    "due_date": (today + datetime.timedelta(days=30)).isoformat(),
                },
            ),
            201,
        )
        path = f"{API}/benefit-agreements/{agreement}"
        self.ok(self.call("benefit_officer", "post", f"{path}/propose/"))
        self.ok(self.call("researcher", "post", f"{path}/sign/", {"version": 1}))
        self.ok(self.call("benefit_officer", "post", f"{path}/sign/", {"version": 1}))
        if kind == "C":
            waiting = Application.objects.get(pk=pk)
            assert waiting.state == "approved", waiting.state  # the condition holds it back
            condition = waiting.conditions.get(kind="before_activation")
            self.ok(self.call("secretariat", "post", f"{API}/conditions/{condition.pk}/met/"))
        self.obligations += list(
            Obligation.objects.filter(agreement_id=agreement).values_list("pk", flat=True)
        )
        project = self.ok(self.call("researcher", "get", f"{base}/"))
        assert project["state"] == "active", project
        self.apps = []
        return pk

    # ---- filing and screening -----------------------------------------------------------

    @rule(who=usually("researcher"), attach=st.booleans())
    def file_application(self, who, attach):
        response = self.call(
            who,
            "post",
            f"{API}/applications/",
            {
                "title": "Heat waves and diabetes",
                "lay_summary": "Whether heat waves make diabetes worse.",
                "scientific_summary": "A retrospective cohort study.",
                "aims": "Estimate the effect of heat on HbA1c.",
                "methods": "Federated regression.",
                "public_benefit": "Better heat-wave warnings.",
                "beneficiaries": ["data_subjects"],
                "funding": "National research fund.",
                "research_use": "DUO:0000006",
                "start_date": "2027-01-01",
                "end_date": "2028-12-31",
            },
        )
        if response.status_code != 201:
            return
        pk = response.json()["id"]
        self.apps.append(pk)
        self.call(
            who,
            "post",
            f"{API}/applications/{pk}/team/",
            {"name": "Alice", "role": "PI", "organisation": "Uni"},
        )
        self.call(
            who,
            "post",
            f"{API}/dataset-requests/",
            {"application": pk, "dataset": self.dataset.pk, "variables": "HbA1c, age"},
        )
        if attach:
            upload = SimpleUploadedFile("protocol.pdf", PDF, content_type="application/pdf")
            self.call(
                who,
                "post",
                f"{API}/applications/{pk}/attachments/",
                {"kind": "protocol", "file": upload},
                fmt="multipart",
            )

    def submit(self, i, who):
        self.call(who, "post", f"{API}/applications/{self.app(i)}/submit/")

    def screen(self, i, who, move, reason):
        self.call(
            who,
            "post",
            f"{API}/applications/{self.app(i)}/{move}/",
            {"reason": reason, "message": reason},
        )

    def withdraw(self, i, who):
        self.call(who, "post", f"{API}/applications/{self.app(i)}/withdraw/")

    # ---- review -------------------------------------------------------------------------

    def assign(self, i, who, reviewer):
        due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
        self.call(
            who,
            "post",
            f"{API}/applications/{self.app(i)}/assign/",
            {"reviewer": self.users[reviewer].pk, "role": "scientific", "due_on": due},
        )

    def review(self, i, who, conflict, benefit, safety):
        """Declare on the assignment (perhaps a conflict), then file an assessment."""
        pk = self.app(i)
        listing = self.call(who, "get", f"{API}/assignments/")
        if listing.status_code != 200:
            return
        assignment = next((a for a in listing.json()["results"] if a["application"] == pk), None)
        if assignment is None:
            return
        self.call(
            who,
            "post",
            f"{API}/assignments/{assignment['id']}/declare/",
            {"has_conflict": conflict, "details": "Co-author" if conflict else ""},
        )
        answers = {
            str(k): v
            for k, v in review_factories.answers(
                self.framework, benefit=benefit, safety=safety
            ).items()
        }
        self.call(
            who,
            "post",
            f"{API}/assessments/",
            {"assignment": assignment["id"], "answers": answers, "file": True},
        )

    def vote(self, i, who, choice):
        self.call(who, "post", f"{API}/applications/{self.app(i)}/vote/", {"choice": choice})

    def classify(self, i, who, override, reason):
        if override:
            self.call(
                who,
                "post",
                f"{API}/applications/{self.app(i)}/classification/",
                {"type": override, "reason": reason},
            )

    def decide(self, i, who, outcome, days, reason):
        expires = (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
        self.call(
            who,
            "post",
            f"{API}/applications/{self.app(i)}/decide/",
            {"outcome": outcome, "reason": reason, "access_expires_on": expires},
        )

    def acknowledge_conflicts(self, i, who, reason):
        self.call(
            who,
            "post",
            f"{API}/applications/{self.app(i)}/acknowledge-conflict/",
            {"reason": reason},
        )

    @rule(
        i=pick,
        who=usually("researcher", "secretariat", "chair"),
        move=st.sampled_from(
            ["submit", "accept", "request-revision", "reject", "await-decision", "withdraw"]
        ),
        reason=text,
    )
    def screening(self, i, who, move, reason):
        if move == "submit":
            self.submit(i, who)
        elif move == "withdraw":
            self.withdraw(i, who)
        else:
            self.screen(i, who, move, reason)

    @rule(
        i=pick,
        who=usually("secretariat", "reviewer", "other_reviewer", "chair"),
        move=st.sampled_from(["assign", "review", "vote", "classify", "decide", "acknowledge"]),
        reviewer=usually("reviewer", "other_reviewer"),
        flag=st.booleans(),
        level=st.sampled_from(["high", "low"]),
        choice=st.sampled_from(["approve", "reject", "abstain", "A", "B", "C", "D"]),
        days=st.sampled_from([365, 0, -3]),
        reason=text,
    )
    def committee(self, i, who, move, reviewer, flag, level, choice, days, reason):
        """Assignment, declaration and assessment, votes, the type and the decision."""
        if move == "assign":
            self.assign(i, who, reviewer)
        elif move == "review":
            self.review(i, who, flag, "high" if flag else level, level)
        elif move == "vote":
            self.vote(i, who, choice if choice.islower() else "approve")
        elif move == "classify":
            self.classify(i, who, choice if choice.isupper() else "", reason)
        elif move == "decide":
            self.decide(i, who, "approved" if flag else "rejected", days, reason)
        else:
            self.acknowledge_conflicts(i, who, reason)

    # ---- custodians and agreements ------------------------------------------------------

    @precondition(lambda self: self.apps)
    @rule(i=pick, who=usually("custodian"), grant=st.booleans(), reason=text)
    def custodian_decides(self, i, who, grant, reason):
        for request_id in DatasetRequest.objects.filter(application_id=self.app(i)).values_list(
            "pk", flat=True
        ):
            move = "grant" if grant else "decline"
            self.call(
                who, "post", f"{API}/dataset-requests/{request_id}/{move}/", {"reason": reason}
            )

    def draft_agreement(self, i, who):
        response = self.call(
            who,
            "post",
            f"{API}/benefit-agreements/",
            {"application": self.app(i), "kind": "public_research", "from_template": True},
        )
        if response.status_code == 201:
            self.agreements.append(response.json()["id"])

    def agreement_move(self, i, who, move, version):
        pk = self.agreements[i % len(self.agreements)]
        data = {"version": version} if move == "sign" else {"reason": "Breach."}
        self.call(who, "post", f"{API}/benefit-agreements/{pk}/{move}/", data)

    @rule(
        i=pick,
        who=usually("benefit_officer", "researcher"),
        move=st.sampled_from(["draft", "propose", "sign", "sign", "terminate"]),
        version=st.sampled_from([1, 1, 2]),
    )
    def agreement(self, i, who, move, version):
        if move == "draft":
            self.draft_agreement(i, who)
        elif self.agreements:
            self.agreement_move(i, who, move, version)

    # ---- a push forward -----------------------------------------------------------------

    @precondition(lambda self: self.apps)
    @rule(i=pick, stages=st.integers(min_value=1, max_value=6))
    def advance(self, i, stages):
        """The right actors take the application up to ``stages`` stages further, so that
        random runs reach review, decision, grants, agreements and the project's life. An
        application still on its way (an amendment under review above all) is preferred."""
        states = dict(Application.objects.filter(pk__in=self.apps).values_list("pk", "state"))
        moving = [n for n, pk in enumerate(self.apps) if states.get(pk) in ON_THE_WAY]
        if moving:
            i = moving[i % len(moving)]
        for _ in range(stages):
            self._advance_once(i)

    def _advance_once(self, i):
        pk = self.app(i)
        application = Application.objects.get(pk=pk)
        applicant = next(n for n, u in self.users.items() if u.pk == application.applicant_id)
        state = application.state
        base = f"{API}/applications/{pk}"
        if state in ("draft", "revision_requested"):
            if not application.attachments.exists():
                upload = SimpleUploadedFile("protocol.pdf", PDF, content_type="application/pdf")
                self.call(
                    applicant,
                    "post",
                    f"{base}/attachments/",
                    {"kind": "protocol", "file": upload},
                    fmt="multipart",
                )
            self.call(applicant, "post", f"{base}/submit/")
        elif state == "submitted":
            self.call("secretariat", "post", f"{base}/accept/")
        elif state in ("in_review", "awaiting_decision"):
            for reviewer in ("reviewer", "other_reviewer"):
                self.assign(i, "secretariat", reviewer)
                self.review(i, reviewer, False, "high", "high")
                self.vote(i, reviewer, "approve")
            self.decide(i, "chair", "approved", 365, "Sound and useful.")
        elif state == "approved":
            self.custodian_decides(i, "custodian", True, "")
            response = self.call(
                "benefit_officer",
                "post",
                f"{API}/benefit-agreements/",
                {"application": pk, "kind": "public_research", "from_template": True},
            )
            if response.status_code == 201:
                agreement = response.json()["id"]
                self.agreements.append(agreement)
                path = f"{API}/benefit-agreements/{agreement}"
                self.call("benefit_officer", "post", f"{path}/propose/")
                self.call(applicant, "post", f"{path}/sign/", {"version": 1})
                self.call("benefit_officer", "post", f"{path}/sign/", {"version": 1})

    # ---- the project's life -------------------------------------------------------------

    def amend(self, i, who, reason):
        pk = self.live(i)
        response = self.call(who, "post", f"{API}/applications/{pk}/amend/", {"reason": reason})
        if response.status_code < 300:
            self.call(who, "patch", f"{API}/applications/{pk}/", {"aims": "Amended aims."})

    def govern(self, i, who, move, reason):
        self.call(
            who,
            "post",
            f"{API}/applications/{self.live(i)}/{move}/",
            {"reason": reason, "final_report": reason},
        )

    life_moves = st.sampled_from(["amend", "suspend", "reinstate", "revoke", "close"])
    # None: the actor the move is meant for (the chair governs, the applicant amends/closes).
    life_actors = st.one_of(st.none(), st.none(), anyone)

    @rule(i=pick, who=life_actors, move=life_moves, reason=text)
    def project_life(self, i, who, move, reason):
        """Amendment and governance of the projects that have been active (the two live ones
        at least); offered twice as often as the other moves."""
        if who is None:
            who = "researcher" if move in ("amend", "close") else "chair"
        if move == "amend":
            self.amend(i, who, reason)
        else:
            self.govern(i, who, move, reason)

    @rule(i=pick, who=life_actors, move=life_moves, reason=text)
    def project_life_again(self, i, who, move, reason):
        self.project_life(i, who, move, reason)

    @initialize(i=pick, plan=st.lists(st.sampled_from(PROJECT_MOVES), min_size=5, max_size=10))
    def a_project_path_first(self, i, plan):
        """Every example starts with a random path through a live project's life (rules
        are switched on and off per example, an initial step always runs)."""
        self.project_path(i, plan)

    @rule(i=pick, plan=st.lists(st.sampled_from(PROJECT_MOVES), min_size=2, max_size=7))
    def project_path(self, i, plan):
        """The right actors make a random sequence of moves in a live project's life, so that
        most runs reach governance, amendment rounds, conditions, obligations and harms."""
        ending = [m for m in plan if m in ENDING][:1]
        for step in [m for m in plan if m not in ENDING] + ending:
            for move in step.split(", "):
                self._project_move(i, move)

    def _project_move(self, i, move):
        pk = self.live(i)
        if move in ("suspend", "reinstate", "revoke"):
            self.govern(i, "chair", move, "A reason.")
        elif move == "close":
            self.govern(i, "researcher", move, "The final report.")
        elif move == "amendment round":
            self.amend(i, "researcher", "One more year.")
            self.advance(self.apps.index(pk), 6)
        elif move.startswith("condition "):
            verb = move.split()[1]
            who = "researcher" if verb == "report" else "secretariat"
            for condition in Condition.objects.filter(application_id=pk, state="open"):
                index = self._index(Condition, condition.pk, application_id__in=self.apps)
                self.condition_move(index, who, verb)
                break
        elif move in ("verify", "reject"):
            self._project_move(i, f"obligation {move}")
        elif move.startswith("obligation "):
            verb = move.split()[1]
            who = "researcher" if verb == "report" else "benefit_officer"
            wanted = {"report": ["pending", "overdue"]}.get(verb, ["reported"])
            if verb == "waive":
                wanted = ["pending", "overdue", "reported"]
            obligation = (
                Obligation.objects.filter(agreement__application_id=pk, state__in=wanted)
                .order_by("pk")
                .first()
            )
            if obligation is not None and obligation.pk in self.obligations:
                self.obligation_move(self.obligations.index(obligation.pk), who, verb, "250.00")
        elif move == "beats":
            self.conditions_beat(30)
            self.obligations_beat(40)
        elif move == "harm suspension":
            self.harm_path(i, 3)

    def _index(self, model, pk, **among):
        return list(
            model.objects.filter(**among).order_by("pk").values_list("pk", flat=True)
        ).index(pk)

    @rule(days=st.sampled_from([-10, 1, 30, 200, 400]))
    def expiry_beat(self, days):
        from applications.services import application_expire_due

        application_expire_due(today=timezone.localdate() + datetime.timedelta(days=days))

    # ---- conditions and obligations -----------------------------------------------------

    @rule(
        i=pick,
        who=usually("researcher", "secretariat"),
        move=st.sampled_from(["report", "report", "met", "waive"]),
    )
    def condition_move(self, i, who, move):
        conditions = list(
            Condition.objects.filter(application_id__in=self.apps)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not conditions:
            return
        pk = conditions[i % len(conditions)]
        data = {"report": "Done as agreed.", "reason": "No longer needed."}
        self.call(who, "post", f"{API}/conditions/{pk}/{move}/", data)

    @rule(days=st.sampled_from([1, 10, 30, 90]))
    def conditions_beat(self, days):
        from reviews.services import conditions_check_due

        result = conditions_check_due(today=timezone.localdate() + datetime.timedelta(days=days))
        if result["flagged"]:
            self.reach("condition overdue")

    @precondition(lambda self: self.obligations)
    @rule(
        i=pick,
        who=usually("researcher", "benefit_officer"),
        move=st.sampled_from(["report", "report", "verify", "verify", "reject", "waive"]),
        amount=st.sampled_from(["250.00", "100.00", ""]),
    )
    def obligation_move(self, i, who, move, amount):
        pk = self.obligations[i % len(self.obligations)]
        data = {"reason": "Not shown.", "text": "Paid and published.", "amount": amount}
        self.call(who, "post", f"{API}/obligations/{pk}/{move}/", data)

    @rule(days=st.sampled_from([1, 40, 400, 800]))
    def obligations_beat(self, days):
        from benefits.services import agreements_flag_breaches, obligations_mark_overdue

        today = timezone.localdate() + datetime.timedelta(days=days)
        if obligations_mark_overdue(today=today):
            self.reach("obligation overdue")
        if agreements_flag_breaches(today=today):
            self.reach("agreement breach")

    # ---- harms linked to the project, and the panel's recommended suspension ------------

    def report_harm_on_project(self, i, who):
        reference = Application.objects.get(pk=self.live(i)).reference
        response = self.call(
            who,
            "post",
            f"{API}/harm-reports/",
            {
                "what_happened": "My data were used in a way I did not expect.",
                "occurred_when": "Last month",
                "affected": "community",
                "categories": ["stigmatisation"],
                "project": reference,
            },
        )
        if response.status_code == 201:
            body = response.json()
            self.reports.append((body["id"], body.get("receipt_code") or ""))

    def triage_linking_the_project(self, i, j, who):
        pk, _code = self.reports[i % len(self.reports)]
        self.call(
            who,
            "post",
            f"{API}/harm-reports/{pk}/triage/",
            {"severity": "severe", "applications": [self.live(j)]},
        )

    def recommend_suspension(self, i, j, who):
        pk, _code = self.reports[i % len(self.reports)]
        self.call(
            who,
            "post",
            f"{API}/harm-reports/{pk}/recommend-suspension/",
            {"application": self.live(j), "reason": "Repeated stigmatising outputs."},
        )

    @rule(i=pick, who=usually("chair"), decision=st.sampled_from(["suspend", "suspend", "dismiss"]))
    def chair_decides_recommendation(self, i, who, decision):
        """The chair's decision is an HTML action (there is no API for it)."""
        from harms.models import SuspensionRecommendation

        open_ = list(
            SuspensionRecommendation.objects.filter(state="open")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not open_:
            return
        pk = open_[i % len(open_)]
        self.html.force_login(self.users[who])
        response = self.html.post(
            f"/harms/recommendations/{pk}/{decision}/", {"reason": "The panel is right."}
        )
        assert response.status_code < 500, response.content[:800]
        state = SuspensionRecommendation.objects.get(pk=pk).state
        if state != "open":
            self.reach(f"recommendation {state}")

    # ---- harms and redress --------------------------------------------------------------

    def report_harm(self):
        response = self.call(
            None,
            "post",
            f"{API}/harm-reports/",
            {
                "what_happened": "My insurer learned about my diagnosis.",
                "occurred_when": "March 2026",
                "affected": "self",
                "categories": ["privacy_breach"],
            },
        )
        if response.status_code == 201:
            body = response.json()
            self.reports.append((body["id"], body["receipt_code"]))

    def triage(self, i, who):
        pk, _code = self.reports[i % len(self.reports)]
        self.call(who, "post", f"{API}/harm-reports/{pk}/triage/", {"severity": "severe"})

    def offer_redress(self, i, who, amount, kind):
        pk, code = self.reports[i % len(self.reports)]
        response = self.call(
            who,
            "post",
            f"{API}/harm-reports/{pk}/offer-redress/",
            {"kind": kind, "description": "Support", "amount_minor": amount},
        )
        if response.status_code == 201:
            self.offers.append((response.json()["id"], code))

    @precondition(lambda self: self.offers)
    @rule(
        i=pick,
        who=st.one_of(st.none(), usually("harm_officer")),
        move=st.sampled_from(["accept", "decline", "deliver", "withdraw"]),
    )
    def redress_move(self, i, who, move):
        pk, code = self.offers[i % len(self.offers)]
        data = {"reason": "No longer needed.", "note": "Paid"}
        if move in ("accept", "decline"):
            data["receipt_code"] = code
        self.call(who, "post", f"{API}/redress-actions/{pk}/{move}/", data)

    @precondition(lambda self: len(self.reports) < 3)  # the anonymous form is throttled
    @rule(i=pick, on_project=st.booleans(), who=st.sampled_from([None, None, "other_researcher"]))
    def a_harm_is_reported(self, i, on_project, who):
        if on_project:
            self.report_harm_on_project(i, who)
        else:
            self.report_harm()

    @precondition(lambda self: self.reports)
    @rule(
        i=pick,
        j=pick,
        who=usually("harm_officer"),
        move=st.sampled_from(["triage", "link", "recommend", "offer"]),
        amount=st.integers(min_value=1, max_value=12_000_00),
        kind=st.sampled_from(["financial", "financial", "apology"]),
    )
    def harm_panel(self, i, j, who, move, amount, kind):
        if move == "triage":
            self.triage(i, who)
        elif move == "link":
            self.triage_linking_the_project(i, j, who)
        elif move == "recommend":
            self.recommend_suspension(i, j, who)
        else:
            self.offer_redress(i, who, amount, kind)

    @rule(j=pick, stages=st.integers(min_value=1, max_value=3))
    def harm_path(self, j, stages):
        """The right actors take a harm about a live project from its report to the chair's
        suspension: report and triage linking the project, the panel's recommendation, the
        chair executing it."""
        pk = self.live(j)
        count = len(self.reports)
        self.report_harm_on_project(j, "other_researcher")
        if len(self.reports) == count:
            return
        report_id = self.reports[-1][0]
        index = len(self.reports) - 1
        self.triage_linking_the_project(index, j, "harm_officer")
        if stages >= 2:
            self.call(
                "harm_officer",
                "post",
                f"{API}/harm-reports/{report_id}/recommend-suspension/",
                {"application": pk, "reason": "Repeated stigmatising outputs."},
            )
        if stages >= 3:
            self.chair_decides_recommendation(0, "chair", "suspend")

    # ---- invariants ---------------------------------------------------------------------

    def _snapshot(self):
        self.steps += 1
        self.before = dict(Application.objects.values_list("pk", "state"))
        self.last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    @invariant()
    def application_moves_follow_the_rulebook(self):
        if not hasattr(self, "before"):
            return
        app_type = None
        new = list(
            AuditEvent.objects.filter(id__gt=self.last_event or 0)
            .select_related("actor")
            .order_by("id")
        )
        by_app: dict[str, list] = {}
        for ev in new:
            if ev.action.startswith("application.") and (ev.from_state or ev.to_state):
                app_type = app_type or ev.target_type
        for ev in new:
            if ev.target_type == app_type and ev.to_state and ev.from_state:
                by_app.setdefault(ev.target_id, []).append(ev)
        decisions = {e.target_id for e in new if e.action == "decision.record"}
        after = dict(Application.objects.values_list("pk", "state"))
        for pk, state in after.items():
            events = by_app.get(str(pk), [])
            current = self.before.get(pk, events[0].from_state if events else state)
            for ev in events:
                matches = [
                    t
                    for t in APPLICATION
                    if t.action == ev.action
                    and ev.from_state in t.sources
                    and t.target == ev.to_state
                ]
                assert matches, f"undeclared move {ev.action} {ev.from_state}->{ev.to_state}"
                assert ev.from_state == current, (pk, current, ev.action, ev.from_state)
                application = Application.objects.get(pk=pk)
                if ev.actor is None:
                    assert any(t.allowed == "nobody" or not t.offered for t in matches), ev.action
                else:
                    assert any(
                        APPLICATION.may_actor(t.name, ev.actor, application) for t in matches
                    ), (ev.action, ev.actor.username)
                if ev.from_state in REVIEW and ev.action in (
                    "application.approve",
                    "application.reject",
                    "application.amendment_reject",
                ):
                    assert str(pk) in decisions, f"{ev.action} of {pk} without decision.record"
                current = ev.to_state
            assert current == state, (
                f"application {pk}: {current} audited, {state} stored",
                [(e.id, e.action, e.target_type, e.from_state, e.to_state) for e in new],
            )
        _other_moves_follow_their_rulebooks(new)
        self._snapshot()

    @invariant()
    def fund_balances(self):
        from django.db.models import Sum

        from benefits.models import FundTransaction
        from benefits.selectors import fund_positions

        for currency, position in fund_positions().items():
            ledger = FundTransaction.objects.filter(currency=currency).aggregate(
                total=Sum("amount_minor")
            )["total"]
            assert position["balance"] == int(ledger or 0), (currency, position, ledger)
            assert position["balance"] >= 0, position
            assert position["available"] >= 0, position
        shown = self.call("benefit_officer", "get", f"{API}/fund/transactions/balances/").json()
        eur = fund_positions().get("EUR")
        if eur:
            assert shown["EUR"]["amount_minor"] == eur["balance"]
            assert shown["EUR"]["reserved_minor"] == eur["reserved"]
            assert shown["EUR"]["available_minor"] == eur["available"]

    @invariant()
    def audit_chain_verifies(self):
        from solidarity.audit.services import audit_verify

        result = audit_verify()
        assert result.ok, result

    @invariant()
    def register_lists_exactly_the_public_uses(self):
        # The register is a function of the applications' states: read it again only when
        # one of them changed (reading it after every step is most of this test's time).
        seen = list(Application.objects.order_by("pk").values_list("pk", "state", "activated_at"))
        if seen == getattr(self, "_register_checked", None):
            return
        self._register_checked = seen
        listed = set()
        url = f"{API}/register/"
        while url:
            body = self.call(None, "get", url).json()
            listed |= {entry["reference"] for entry in body["results"]}
            url = body.get("next")
        by_rulebook = set(
            Application.objects.filter(public_q()).values_list("reference", flat=True)
        )
        by_states = {
            a.reference
            for a in Application.objects.all()
            if a.state in PUBLIC or (a.state in AMENDMENT and a.activated_at is not None)
        }
        assert listed == by_rulebook == by_states, (listed, by_rulebook, by_states)
        assert set(PUBLIC) == {"approved", "active", "suspended", "closed", "revoked"}

    @invariant()
    def no_approval_of_d_nor_without_quorum(self):
        from reviews.models import Decision

        for decision in Decision.objects.filter(outcome="approved"):
            assert decision.effective_type != "D", decision.pk
            # Every type but a computed and effective A needs a quorate vote in favour.
            if decision.computed_type != "A" or decision.effective_type != "A":
                votes = decision.votes
                assert votes["counted"] >= votes["quorum"], votes
                assert votes["in_favour"] > votes["reject"], votes

    @invariant()
    def access_ends_with_the_project(self):
        stopped = ("suspended", "revoked", "closed")
        granted = DatasetRequest.objects.filter(
            application__state__in=stopped, state=DatasetRequest.State.GRANTED
        )
        assert not granted.exists(), list(granted.values("pk", "application__state"))
        states = dict(Application.objects.values_list("pk", "state"))
        url = f"{API}/grants/"
        while url:
            body = self.call("auditor", "get", url).json()
            for grant in body["results"]:
                if states[grant["application"]] in stopped:
                    assert not grant["current"], (grant, states[grant["application"]])
            url = body.get("next")

    @invariant()
    def nothing_is_due_on_a_closed_project(self):
        from benefits.selectors import obligations_due

        for application in Application.objects.filter(pk__in=self.apps, state="closed"):
            due = obligations_due(application.applicant).filter(agreement__application=application)
            assert not due.exists(), list(due.values("pk", "state", "agreement__state"))


@pytest.fixture
def life(db, request, dataset, framework):
    users = {name: request.getfixturevalue(name) for name in ROLES}

    class Life(LifeMachine):
        pass

    Life.users = users
    Life.dataset = dataset
    Life.framework = framework
    Life.build_live_projects()
    return Life


DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
LIFE = settings(
    max_examples=200 if DEEP else int(os.environ.get("LIFE_EXAMPLES", 15)),
    stateful_step_count=50 if DEEP else 10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # LIFE_NO_SHRINK=1 reports the first failing run as it is (shrinking these runs is slow).
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    if os.environ.get("LIFE_NO_SHRINK")
    else list(Phase),
)


def test_the_whole_life_keeps_the_rulebook(life, capsys):
    REACHED.clear()
    run_state_machine_as_test(life, settings=LIFE)
    if os.environ.get("LIFE_STATS"):
        with capsys.disabled():
            total = REACHED.pop("(examples)")
            print(f"\nMoves reached, in how many of {total} examples:")
            for move, n in sorted(REACHED.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"  {n:4d}  {move}")
