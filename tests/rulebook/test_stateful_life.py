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
  effective D is approved at all.

``make test`` runs a few examples; ``make test-deep`` (``HYPOTHESIS_PROFILE=deep``) many more.
"""

import datetime
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
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
    for event in events:
        if not (event.from_state and event.to_state):
            continue  # a row made (or a side signed): no move between states
        machine = next((m for p, m in machines.items() if event.action.startswith(p)), None)
        if machine is None:
            continue
        assert any(
            t.action == event.action
            and event.from_state in t.sources
            and t.target == event.to_state
            for t in machine
        ), f"undeclared move {event.action} {event.from_state}->{event.to_state}"


class LifeMachine(RuleBasedStateMachine):
    """The users, dataset and framework are made once per test (``bind``); each example runs
    inside a savepoint that is rolled back at its end."""

    users: dict = {}
    dataset = None
    framework = None

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
        self.apps: list[int] = []
        self.agreements: list[int] = []
        self.reports: list[tuple[int, str]] = []
        self.offers: list[tuple[int, str]] = []
        self.expected_failures = 0
        self.last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        self.last_event = self.last_event or 0
        self.before = {}

    def teardown(self):
        if os.environ.get("LIFE_STATS"):
            seen = sorted(set(Application.objects.values_list("state", flat=True)))
            moves = sorted(
                set(
                    AuditEvent.objects.exclude(action__startswith="application.add").values_list(
                        "action", flat=True
                    )
                )
            )
            print("LIFE", seen, moves)
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # ---- helpers ------------------------------------------------------------------------

    def call(self, who, method, path, data=None, fmt="json"):
        self.client.force_authenticate(self.users[who] if who else None)
        response = getattr(self.client, method)(path, data, format=fmt)
        assert response.status_code < 500, (who, method, path, data, response.content[:800])
        return response

    def app(self, i):
        return self.apps[i % len(self.apps)]

    def live(self, i):
        """An application that has been active, when there is one (else any)."""
        live = list(
            Application.objects.filter(pk__in=self.apps, activated_at__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return live[i % len(live)] if live else self.app(i)

    # ---- setup --------------------------------------------------------------------------

    @initialize()
    def fill_the_fund(self):
        from benefits.services import fund_receive

        fund_receive(
            actor=self.users["benefit_officer"],
            amount_minor=FUND_EUR,
            currency="EUR",
            reason="Contributions",
        )
        self._snapshot()

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

    @precondition(lambda self: self.apps)
    @rule(i=pick, who=usually("researcher"))
    def submit(self, i, who):
        self.call(who, "post", f"{API}/applications/{self.app(i)}/submit/")

    @precondition(lambda self: self.apps)
    @rule(
        i=pick,
        who=usually("secretariat", "chair"),
        move=st.sampled_from(["accept", "request-revision", "reject", "await-decision"]),
        reason=text,
    )
    def screen(self, i, who, move, reason):
        self.call(
            who,
            "post",
            f"{API}/applications/{self.app(i)}/{move}/",
            {"reason": reason, "message": reason},
        )

    @precondition(lambda self: self.apps)
    @rule(i=pick, who=usually("researcher"))
    def withdraw(self, i, who):
        self.call(who, "post", f"{API}/applications/{self.app(i)}/withdraw/")

    # ---- review -------------------------------------------------------------------------

    @precondition(lambda self: self.apps)
    @rule(
        i=pick,
        who=usually("secretariat"),
        reviewer=usually("reviewer", "other_reviewer"),
    )
    def assign(self, i, who, reviewer):
        due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
        self.call(
            who,
            "post",
            f"{API}/applications/{self.app(i)}/assign/",
            {"reviewer": self.users[reviewer].pk, "role": "scientific", "due_on": due},
        )

    @precondition(lambda self: self.apps)
    @rule(
        i=pick,
        who=usually("reviewer", "other_reviewer"),
        conflict=st.booleans(),
        benefit=st.sampled_from(["high", "low"]),
        safety=st.sampled_from(["high", "low"]),
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

    @precondition(lambda self: self.apps)
    @rule(
        i=pick,
        who=usually("reviewer", "other_reviewer", "chair"),
        choice=st.sampled_from(["approve", "reject", "abstain"]),
    )
    def vote(self, i, who, choice):
        self.call(who, "post", f"{API}/applications/{self.app(i)}/vote/", {"choice": choice})

    @precondition(lambda self: self.apps)
    @rule(
        i=pick,
        who=usually("chair"),
        override=st.sampled_from(["", "A", "B", "C", "D"]),
        reason=text,
    )
    def classify(self, i, who, override, reason):
        if override:
            self.call(
                who,
                "post",
                f"{API}/applications/{self.app(i)}/classification/",
                {"type": override, "reason": reason},
            )

    @precondition(lambda self: self.apps)
    @rule(
        i=pick,
        who=usually("chair"),
        outcome=st.sampled_from(["approved", "rejected", "maybe"]),
        days=st.sampled_from([365, 0, -3]),
        reason=text,
    )
    def decide(self, i, who, outcome, days, reason):
        expires = (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
        self.call(
            who,
            "post",
            f"{API}/applications/{self.app(i)}/decide/",
            {"outcome": outcome, "reason": reason, "access_expires_on": expires},
        )

    @precondition(lambda self: self.apps)
    @rule(i=pick, who=usually("chair"), reason=text)
    def acknowledge_conflicts(self, i, who, reason):
        self.call(
            who,
            "post",
            f"{API}/applications/{self.app(i)}/acknowledge-conflict/",
            {"reason": reason},
        )

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

    @precondition(lambda self: self.apps)
    @rule(i=pick, who=usually("benefit_officer"))
    def draft_agreement(self, i, who):
        response = self.call(
            who,
            "post",
            f"{API}/benefit-agreements/",
            {"application": self.app(i), "kind": "public_research", "from_template": True},
        )
        if response.status_code == 201:
            self.agreements.append(response.json()["id"])

    @precondition(lambda self: self.agreements)
    @rule(
        i=pick,
        who=usually("benefit_officer", "researcher"),
        move=st.sampled_from(["propose", "sign", "sign", "terminate"]),
        version=st.sampled_from([1, 1, 2]),
    )
    def agreement_move(self, i, who, move, version):
        pk = self.agreements[i % len(self.agreements)]
        data = {"version": version} if move == "sign" else {"reason": "Breach."}
        self.call(who, "post", f"{API}/benefit-agreements/{pk}/{move}/", data)

    # ---- a push forward -----------------------------------------------------------------

    @precondition(lambda self: self.apps)
    @rule(i=pick, stages=st.integers(min_value=1, max_value=6))
    def advance(self, i, stages):
        """The right actors take the application up to ``stages`` stages further, so that
        random runs reach review, decision, grants, agreements and the project's life."""
        for _ in range(stages):
            self._advance_once(i)

    @precondition(lambda self: self.apps)
    @rule(i=pick, stages=st.integers(min_value=1, max_value=6))
    def advance_again(self, i, stages):
        """The same push (a second rule, so that it is chosen more often)."""
        self.advance(i, stages)

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

    @precondition(lambda self: self.apps)
    @rule(i=pick, who=usually("researcher"), reason=text)
    def amend(self, i, who, reason):
        pk = self.live(i)
        response = self.call(who, "post", f"{API}/applications/{pk}/amend/", {"reason": reason})
        if response.status_code < 300:
            self.call(who, "patch", f"{API}/applications/{pk}/", {"aims": "Amended aims."})

    @precondition(lambda self: self.apps)
    @rule(
        i=pick,
        who=usually("chair", "researcher"),
        move=st.sampled_from(["suspend", "reinstate", "revoke", "close"]),
        reason=text,
    )
    def govern(self, i, who, move, reason):
        self.call(
            who,
            "post",
            f"{API}/applications/{self.live(i)}/{move}/",
            {"reason": reason, "final_report": reason},
        )

    @precondition(
        lambda self: Application.objects.filter(
            pk__in=self.apps, activated_at__isnull=False
        ).exists()
    )
    @rule(
        i=pick,
        who=usually("chair", "researcher"),
        move=st.sampled_from(["amend", "suspend", "reinstate", "revoke", "close"]),
        reason=text,
    )
    def project_life(self, i, who, move, reason):
        """Amendment and governance, offered only once a project has been active."""
        if move == "amend":
            self.amend(i, who, reason)
        else:
            self.govern(i, who, move, reason)

    @rule(days=st.integers(min_value=-10, max_value=800))
    def expiry_beat(self, days):
        from applications.services import application_expire_due

        application_expire_due(today=timezone.localdate() + datetime.timedelta(days=days))

    # ---- harms and redress --------------------------------------------------------------

    @precondition(lambda self: len(self.reports) < 3)  # the anonymous form is throttled
    @rule()
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

    @precondition(lambda self: self.reports)
    @rule(i=pick, who=usually("harm_officer"))
    def triage(self, i, who):
        pk, _code = self.reports[i % len(self.reports)]
        self.call(who, "post", f"{API}/harm-reports/{pk}/triage/", {"severity": "severe"})

    @precondition(lambda self: self.reports)
    @rule(
        i=pick,
        who=usually("harm_officer"),
        amount=st.integers(min_value=1, max_value=12_000_00),
        kind=st.sampled_from(["financial", "financial", "apology"]),
    )
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

    # ---- invariants ---------------------------------------------------------------------

    def _snapshot(self):
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
        for event in new:
            if event.action.startswith("application.") and (event.from_state or event.to_state):
                app_type = app_type or event.target_type
        for event in new:
            if event.target_type == app_type and event.to_state and event.from_state:
                by_app.setdefault(event.target_id, []).append(event)
        decisions = {e.target_id for e in new if e.action == "decision.record"}
        after = dict(Application.objects.values_list("pk", "state"))
        for pk, state in after.items():
            events = by_app.get(str(pk), [])
            current = self.before.get(pk, events[0].from_state if events else state)
            for event in events:
                matches = [
                    t
                    for t in APPLICATION
                    if t.action == event.action
                    and event.from_state in t.sources
                    and t.target == event.to_state
                ]
                assert matches, (
                    f"undeclared move {event.action} {event.from_state}->{event.to_state}"
                )
                assert event.from_state == current, (pk, current, event.action, event.from_state)
                application = Application.objects.get(pk=pk)
                if event.actor is None:
                    assert any(t.allowed == "nobody" or not t.offered for t in matches), (
                        event.action
                    )
                else:
                    assert any(
                        APPLICATION.may_actor(t.name, event.actor, application) for t in matches
                    ), (event.action, event.actor.username)
                if event.from_state in REVIEW and event.action in (
                    "application.approve",
                    "application.reject",
                    "application.amendment_reject",
                ):
                    assert str(pk) in decisions, f"{event.action} of {pk} without decision.record"
                current = event.to_state
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


@pytest.fixture
def life(db, request, dataset, framework):
    users = {name: request.getfixturevalue(name) for name in ROLES}

    class Life(LifeMachine):
        pass

    Life.users = users
    Life.dataset = dataset
    Life.framework = framework
    return Life


DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
LIFE = settings(
    max_examples=200 if DEEP else int(os.environ.get("LIFE_EXAMPLES", 15)),
    stateful_step_count=50 if DEEP else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_the_whole_life_keeps_the_rulebook(life):
    run_state_machine_as_test(life, settings=LIFE)
