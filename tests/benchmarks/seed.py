"""Bulk seeding for the page benchmark: N applications over every state, fast.

The few setup rows (organisations, datasets, their custodian rights, the PLUTO framework) go
through the services; the big tables are written with PostgreSQL ``COPY`` and explicit ids,
shaped as the services would leave them (states, timestamps, versions, object permissions, a
valid audit chain). Not a test and not used by the app.
"""

import datetime
import hashlib
import json
import random
from collections.abc import Iterable

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from applications.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    DatasetRequest,
)
from benefits.models import (
    BenefitAgreement,
    FundAccount,
    FundEntry,
    FundTransaction,
    Obligation,
)
from harms.models import HarmReport
from reviews.models import Assessment, Assignment, CommitteeFile, Condition, RiskItem, Vote
from solidarity.accounts.models import User
from solidarity.accounts.roles import Role
from solidarity.audit.chain import GENESIS
from solidarity.audit.models import AuditEvent, ChainHead

S = ApplicationState
PASSWORD = "bench-password-not-secret"

# How the applications spread over the states (weights).
STATE_WEIGHTS = {
    S.DRAFT: 10,
    S.SUBMITTED: 8,
    S.REVISION_REQUESTED: 5,
    S.IN_REVIEW: 12,
    S.AWAITING_DECISION: 5,
    S.APPROVED: 8,
    S.ACTIVE: 20,
    S.SUSPENDED: 2,
    S.CLOSED: 10,
    S.REJECTED: 8,
    S.WITHDRAWN: 7,
    S.REVOKED: 5,
}
REVIEWED = {
    S.IN_REVIEW,
    S.AWAITING_DECISION,
    S.APPROVED,
    S.ACTIVE,
    S.SUSPENDED,
    S.CLOSED,
    S.REJECTED,
    S.REVOKED,
}
DECIDED = {S.APPROVED, S.ACTIVE, S.SUSPENDED, S.CLOSED, S.REJECTED, S.REVOKED}
APPROVED = {S.APPROVED, S.ACTIVE, S.SUSPENDED, S.CLOSED, S.REVOKED}
AGREEMENT_STATE = {
    S.APPROVED: "proposed",
    S.ACTIVE: "in_force",
    S.SUSPENDED: "in_force",
    S.CLOSED: "fulfilled",
    S.REVOKED: "terminated",
}
TERMS = (
    "The project shares its benefits with the people whose data it uses. " * 60
)  # ~4 KB: agreement terms are long texts


def _copy(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """Write rows into the model's table with COPY (PostgreSQL), or batched INSERTs elsewhere
    (the SQLite test database); returns how many were written."""
    table = model._meta.db_table
    # Columns the seed does not name but the table requires (added by later migrations) get
    # the model's default, so the seed keeps up with the schema.
    extra = _defaults_for_unnamed(model, columns)
    if extra:
        names, values = [c for c, _ in extra], tuple(v for _, v in extra)
        columns = [*columns, *names]
        rows = (tuple(row) + values for row in rows)
    cols = ", ".join(f'"{c}"' for c in columns)
    n = 0
    if connection.vendor != "postgresql":
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join(["%s"] * len(columns))})'
        batch = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(_portable(v) for v in row))
                n += 1
                if len(batch) >= 1000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        return n
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _defaults_for_unnamed(model, columns: list[str]) -> list[tuple[str, object]]:
    now = datetime.datetime.now(datetime.UTC)
    found = []
    for field in model._meta.concrete_fields:
        if field.column in columns or field.null or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        if isinstance(value, dict | list):
            value = _j(value)
        if value is None:
            continue
        found.append((field.column, value))
    return found


def _portable(value):
    """A value as Django's SQLite backend stores it (naive UTC datetimes, ISO dates)."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _j(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _users(prefix: str, count: int, role: str, password: str) -> list[int]:
    group, _ = Group.objects.get_or_create(name=role)
    users = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}{i}",
                display_name=f"{prefix.title()} {i}",
                email=f"{prefix}{i}@bench.invalid",
                password=password,
            )
            for i in range(count)
        ]
    )
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users]
    )
    return [u.pk for u in users]


def seed(size: int, *, seed_value: int = 11) -> dict:
    """Fill the (empty, migrated) database with ``size`` applications; returns the actors."""
    from reviews.services import framework_ensure_default
    from solidarity.catalog.services import dataset_create, membership_add, organisation_create

    rng = random.Random(seed_value)
    now = timezone.now().replace(microsecond=0)
    password = make_password(PASSWORD)

    # -- people and catalogue (small; through the services where rights are granted) --------
    staff = {}
    for role in (
        Role.SECRETARIAT,
        Role.CHAIR,
        Role.HARM_OFFICER,
        Role.BENEFIT_OFFICER,
        Role.AUDITOR,
    ):
        staff[role] = _users(f"bench_{role}", 1, role, password)[0]
    admin = User.objects.create(
        username="bench_admin", is_staff=True, is_superuser=True, password=password
    )
    researchers = _users("bench_researcher", max(20, size // 200), Role.RESEARCHER, password)
    reviewers = _users("bench_reviewer", 30, Role.REVIEWER, password)
    custodians = _users("bench_custodian", 10, Role.CUSTODIAN, password)
    datasets: list[int] = []
    with transaction.atomic():
        for i, custodian_id in enumerate(custodians):
            org = organisation_create(
                actor=None, name=f"Bench custodian {i}", country="AT", kind="hospital"
            )
            membership_add(actor=None, user=User.objects.get(pk=custodian_id), organisation=org)
            for d in range(5):
                dataset = dataset_create(
                    actor=None,
                    custodian=org,
                    title=f"Bench dataset {i}-{d}",
                    description="A registry of health records.",
                    population="Adults treated in the region.",
                    sensitivity="high",
                    access_modes=["federated", "trusted_environment", "transfer"],
                )
                datasets.append(dataset.pk)
        framework = framework_ensure_default()
    org_ids = list(
        Application._meta.get_field("organisation").related_model.objects.values_list(
            "pk", flat=True
        )
    )

    # -- applications -----------------------------------------------------------------------
    if size < 1000:  # small test sizes: every state in turn, so that every list has rows
        states = [list(STATE_WEIGHTS)[i % len(STATE_WEIGHTS)] for i in range(size)]
    else:
        states = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()), k=size)
    apps = []  # (id, state, applicant, created, submitted, decided, reference)
    seq_by_year: dict[int, int] = {}
    start = now - datetime.timedelta(days=3 * 365)
    span = int((now - start).total_seconds())
    for i in range(size):
        created = start + datetime.timedelta(seconds=span * i // size)
        state = states[i]
        submitted = (
            created + datetime.timedelta(days=rng.randint(1, 20)) if state != S.DRAFT else None
        )
        if submitted and submitted > now:
            submitted = now
        reference = None
        if submitted:
            seq_by_year[submitted.year] = seq_by_year.get(submitted.year, 0) + 1
            reference = f"DSA-{submitted.year}-{seq_by_year[submitted.year]:06d}"
        decided = submitted + datetime.timedelta(days=30) if state in DECIDED else None
        if decided and decided > now:
            decided = now
        applicant = researchers[i % len(researchers)]
        apps.append((i + 1, state, applicant, created, submitted, decided, reference))

    def app_rows():
        for pk, state, applicant, created, submitted, decided, reference in apps:
            active = state in {S.ACTIVE, S.SUSPENDED, S.CLOSED, S.REVOKED}
            yield (
                pk,
                reference,
                state,
                applicant,
                rng.choice(org_ids),
                f"Study {pk}: outcomes of care in a regional cohort",
                "A plain-language summary of what the project does and why it matters. " * 3,
                "Scientific summary.",
                "Aims.",
                "Methods.",
                "Public benefit.",
                _j(["general_public"]),
                "Public grant.",
                pk % 7 == 0,
                "",
                "HMB",
                "",
                "AT",
                True,
                True,
                None,
                None,
                (now + datetime.timedelta(days=365)).date() if active else None,
                None,
                1 if submitted else 0,
                "",
                "",
                submitted,
                decided,
                decided if active else None,
                now if state == S.CLOSED else None,
                created,
                decided or submitted or created,
            )

    _copy(
        Application,
        [
            "id",
            "reference",
            "state",
            "applicant_id",
            "organisation_id",
            "title",
            "lay_summary",
            "scientific_summary",
            "aims",
            "methods",
            "public_benefit",
            "beneficiaries",
            "funding",
            "commercial_involvement",
            "commercial_details",
            "research_use",
            "research_disease",
            "research_countries",
            "ethics_approval",
            "will_publish",
            "start_date",
            "end_date",
            "access_expires_on",
            "expiry_warned_days",
            "current_version",
            "state_reason",
            "final_report",
            "submitted_at",
            "decided_at",
            "activated_at",
            "closed_at",
            "created_at",
            "updated_at",
        ],
        app_rows(),
    )

    # -- dataset requests and versions --------------------------------------------------------
    request_rows = []
    for pk, state, _a, _c, _s, decided, _r in apps:
        for dataset in rng.sample(datasets, rng.randint(1, 3)):
            if state in {S.ACTIVE, S.SUSPENDED, S.CLOSED, S.REVOKED}:
                decision = "granted"
            elif state == S.APPROVED:
                decision = rng.choice(["pending", "granted", "granted", "declined"])
            else:
                decision = "pending"
            request_rows.append((pk, dataset, decision, decided if decision != "pending" else None))
    _copy(
        DatasetRequest,
        [
            "id",
            "application_id",
            "dataset_id",
            "access_mode",
            "justification",
            "variables",
            "state",
            "decided_by_id",
            "decided_at",
            "decision_reason",
            "decision_conditions",
        ],
        (
            (n + 1, a, d, "federated", "", "age, sex, diagnosis", st, None, at, "", "")
            for n, (a, d, st, at) in enumerate(request_rows)
        ),
    )
    _copy(
        ApplicationVersion,
        ["id", "application_id", "number", "content", "created_by_id", "created_at"],
        (
            (
                pk,
                pk,
                1,
                _j({"title": f"Study {pk}", "methods": "Methods.", "aims": "Aims."}),
                applicant,
                submitted,
            )
            for pk, _st, applicant, _c, submitted, _d, _r in apps
            if submitted
        ),
    )

    # -- review: assignments, assessments, risks, committee files, votes, conditions ---------
    assignment_rows, assessment_rows, risk_rows, vote_rows = [], [], [], []
    file_rows, condition_rows, perm_rows = [], [], []
    view_perm = Permission.objects.get(
        codename="view_application_object", content_type__app_label="applications"
    )
    app_ct = ContentType.objects.get_for_model(Application)
    for pk, state, applicant, _c, submitted, decided, _r in apps:
        if submitted:  # the applicant's self-assessment
            assessment_rows.append(
                (pk, "self", None, applicant, rng.randint(-5, 10), rng.randint(-5, 10), submitted)
            )
        if state not in REVIEWED:
            continue
        for reviewer in rng.sample(reviewers, 3):
            filed = state != S.IN_REVIEW or rng.random() < 0.5
            assignment_rows.append((pk, reviewer, filed, submitted))
            perm_rows.append((reviewer, pk))
            if filed:
                assessment_rows.append(
                    (
                        pk,
                        "reviewer",
                        len(assignment_rows),
                        reviewer,
                        rng.randint(-5, 10),
                        rng.randint(-5, 10),
                        submitted,
                    )
                )
                if state in DECIDED or state == S.AWAITING_DECISION:
                    vote_rows.append((pk, reviewer))
        if state in DECIDED or state == S.AWAITING_DECISION:
            outcome = (
                "approved" if state in APPROVED else "rejected" if state in DECIDED else "pending"
            )
            file_rows.append((pk, outcome, decided))
        if state in APPROVED:
            condition_rows.append((pk, applicant, (decided or now).date()))
    _copy(
        Assignment,
        [
            "id",
            "application_id",
            "reviewer_id",
            "role",
            "due_on",
            "state",
            "assigned_by_id",
            "created_at",
            "coi_declared_at",
            "has_conflict",
            "conflict_details",
            "filed_at",
            "last_reminded_on",
        ],
        (
            (
                n + 1,
                a,
                r,
                "scientific",
                (at + datetime.timedelta(days=21)).date(),
                "filed" if filed else "active",
                staff[Role.SECRETARIAT],
                at,
                at,
                False,
                "",
                at if filed else None,
                None,
            )
            for n, (a, r, filed, at) in enumerate(assignment_rows)
        ),
    )
    _copy(
        Assessment,
        [
            "id",
            "kind",
            "application_id",
            "assignment_id",
            "author_id",
            "framework_id",
            "answers",
            "benefit_score",
            "benefit_min",
            "benefit_max",
            "safety_score",
            "safety_min",
            "safety_max",
            "use_type",
            "comments",
            "filed_at",
            "updated_at",
        ],
        (
            (
                n + 1,
                kind,
                a,
                assignment,
                author,
                framework.pk,
                "{}",
                benefit,
                -5,
                10,
                safety,
                -5,
                10,
                "A" if benefit > 2 and safety > 2 else "C" if benefit > 2 else "B",
                "",
                at,
                at,
            )
            for n, (a, kind, assignment, author, benefit, safety, at) in enumerate(assessment_rows)
        ),
    )
    for n, row in enumerate(assessment_rows):
        if row[1] == "reviewer" and n % 3 == 0:
            risk_rows.append(n + 1)
    _copy(
        RiskItem,
        [
            "id",
            "assessment_id",
            "category",
            "borne_by",
            "description",
            "likelihood",
            "severity",
            "mitigation",
            "residual_likelihood",
            "residual_severity",
        ],
        (
            (n + 1, a, "privacy", "group", "Re-identification.", 3, 4, "Federated only.", 2, 3)
            for n, a in enumerate(risk_rows)
        ),
    )
    _copy(
        CommitteeFile,
        [
            "id",
            "application_id",
            "quorum",
            "override_type",
            "override_reason",
            "overridden_by_id",
            "outcome",
            "decision_reason",
            "decided_by_id",
            "decided_at",
            "decided_type",
        ],
        (
            (
                n + 1,
                a,
                2,
                "",
                "",
                None,
                outcome,
                "Reasons." if outcome != "pending" else "",
                staff[Role.CHAIR] if outcome != "pending" else None,
                at if outcome != "pending" else None,
                "A" if outcome != "pending" else "",
            )
            for n, (a, outcome, at) in enumerate(file_rows)
        ),
    )
    _copy(
        Vote,
        ["id", "application_id", "voter_id", "choice", "comment", "recorded_by_id", "cast_at"],
        (
            (n + 1, a, v, "approve", "", v, now - datetime.timedelta(days=n % 900))
            for n, (a, v) in enumerate(vote_rows)
        ),
    )
    _copy(
        Condition,
        [
            "id",
            "application_id",
            "kind",
            "risk_id",
            "text",
            "owner_id",
            "due_on",
            "state",
            "report",
            "reported_at",
            "waive_reason",
            "created_by_id",
            "created_at",
            "closed_at",
        ],
        (
            (
                n + 1,
                a,
                "general",
                None,
                "Publish the results openly.",
                owner,
                due + datetime.timedelta(days=180),
                "open" if n % 3 else "met",
                "",
                None,
                "",
                staff[Role.CHAIR],
                now,
                None if n % 3 else now,
            )
            for n, (a, owner, due) in enumerate(condition_rows)
        ),
    )
    from guardian.models import UserObjectPermission

    _copy(
        UserObjectPermission,
        ["id", "permission_id", "content_type_id", "object_pk", "user_id"],
        (
            (n + 1, view_perm.pk, app_ct.pk, str(a), u)
            for n, (u, a) in enumerate(dict.fromkeys(perm_rows))
        ),
    )

    # -- benefits: agreements, obligations, one fund transaction per application -------------
    agreements = {}  # application id -> agreement id
    agreement_rows = []
    for pk, state, _ap, _c, _s, decided, _r in apps:
        if state in AGREEMENT_STATE:
            agreements[pk] = len(agreement_rows) + 1
            agreement_rows.append((pk, AGREEMENT_STATE[state], decided or now))
    _copy(
        BenefitAgreement,
        [
            "id",
            "application_id",
            "kind",
            "state",
            "terms",
            "terms_version",
            "grace_days",
            "drafted_by_id",
            "state_reason",
            "proposed_at",
            "signed_at",
            "in_force_at",
            "breached_at",
            "ended_at",
            "created_at",
            "updated_at",
        ],
        (
            (
                n + 1,
                a,
                "public_research",
                st,
                TERMS,
                1,
                30,
                staff[Role.BENEFIT_OFFICER],
                "",
                at,
                at if st != "proposed" else None,
                at if st in {"in_force", "fulfilled"} else None,
                None,
                at if st in {"fulfilled", "terminated"} else None,
                at,
                at,
            )
            for n, (a, st, at) in enumerate(agreement_rows)
        ),
    )
    _copy(
        Obligation,
        [
            "id",
            "agreement_id",
            "kind",
            "description",
            "beneficiary",
            "community",
            "share_basis_points",
            "amount_minor",
            "currency",
            "recurrence",
            "due_date",
            "ends_on",
            "evidence_expected",
            "state",
            "periods_verified",
            "overdue_since",
            "state_reason",
            "created_at",
            "updated_at",
        ],
        (
            (
                2 * n + k + 1,
                n + 1,
                kind,
                "What is owed.",
                "fund",
                "",
                None,
                amount,
                "EUR",
                "once",
                (at + datetime.timedelta(days=90 * (k + 1))).date(),
                None,
                "",
                ("pending", "reported", "verified", "overdue")[(n + k) % 4],
                0,
                None,
                "",
                at,
                at,
            )
            for n, (_a, _st, at) in enumerate(agreement_rows)
            for k, (kind, amount) in enumerate([("fixed_payment", 50000), ("open_access", None)])
        ),
    )
    FundAccount.objects.get_or_create(currency="EUR")
    _copy(
        FundTransaction,
        [
            "id",
            "kind",
            "currency",
            "amount_minor",
            "reason",
            "source_type",
            "source_id",
            "agreement_id",
            "community",
            "corrects_id",
            "created_by_id",
            "created_at",
        ],
        (
            (
                pk,
                "inflow",
                "EUR",
                1000 + pk % 9000,
                f"Payment from project {pk}",
                "obligation" if pk in agreements else "",
                str(pk) if pk in agreements else "",
                agreements.get(pk),
                "",
                None,
                staff[Role.BENEFIT_OFFICER],
                created,
            )
            for pk, _st, _ap, created, *_ in apps
        ),
    )
    _copy(
        FundEntry,
        ["id", "transaction_id", "account", "currency", "amount_minor"],
        (
            (2 * pk - 1 + k, pk, account, "EUR", sign * (1000 + pk % 9000))
            for pk, *_ in apps
            for k, (account, sign) in enumerate([("fund", 1), ("contributions", -1)])
        ),
    )

    # -- harm reports: a tenth of the applications --------------------------------------------
    public = [pk for pk, st, *_ in apps if st in APPROVED]
    harm_states = [
        "received",
        "triaged",
        "investigating",
        "redress_offered",
        "resolved",
        "closed_no_action",
        "referred",
    ]
    harm_count = max(10, size // 10)
    harm_rows, harm_apps, harm_datasets = [], [], []
    for n in range(harm_count):
        received = start + datetime.timedelta(seconds=span * n // harm_count)
        state = harm_states[n % len(harm_states)]
        harm_rows.append((n + 1, state, received))
        if public:
            harm_apps.append((n + 1, rng.choice(public)))
        harm_datasets.append((n + 1, rng.choice(datasets)))
    receipt_codes = {}
    _copy(
        HarmReport,
        [
            "id",
            "state",
            "reporter_id",
            "receipt_hash",
            "contact_ciphertext",
            "what_happened",
            "occurred_when",
            "affected",
            "categories",
            "project_hint",
            "links_confirmed",
            "severity",
            "outcome",
            "referred_to",
            "received_at",
            "acknowledged_at",
            "triaged_at",
            "decided_at",
            "appealed_at",
            "appeal_grounds",
            "acknowledge_due",
            "triage_due",
            "decision_due",
            "next_due_at",
            "last_reminded_at",
            "updated_at",
        ],
        (
            (
                pk,
                state,
                None,
                receipt_codes.setdefault(pk, hashlib.sha256(f"bench-{pk}".encode()).hexdigest()),
                "",
                "My records were shared without my consent.",
                "Last spring",
                "self",
                _j([["privacy_breach", "discrimination", "financial"][pk % 3]]),
                "",
                True,
                "" if state == "received" else ("low", "moderate", "severe")[pk % 3],
                "",
                "",
                received,
                received if state != "received" else None,
                received if state not in {"received"} else None,
                received if state in {"resolved", "closed_no_action", "referred"} else None,
                None,
                "",
                received + datetime.timedelta(days=2),
                received + datetime.timedelta(days=14),
                received + datetime.timedelta(days=40),
                # As harms.sla.next_due_at: acknowledgement, then the decision; none once decided.
                received + datetime.timedelta(days=2)
                if state == "received"
                else (
                    None
                    if state in {"resolved", "closed_no_action", "referred"}
                    else received + datetime.timedelta(days=40)
                ),
                None,
                received,
            )
            for pk, state, received in harm_rows
        ),
    )
    _copy(
        HarmReport.applications.through,
        ["id", "harmreport_id", "application_id"],
        ((n + 1, r, a) for n, (r, a) in enumerate(harm_apps)),
    )
    _copy(
        HarmReport.datasets.through,
        ["id", "harmreport_id", "dataset_id"],
        ((n + 1, r, d) for n, (r, d) in enumerate(harm_datasets)),
    )

    # -- audit events: three per application, chained after the setup events -----------------
    _audit(apps, staff[Role.SECRETARIAT])

    _reset_sequences()
    with connection.cursor() as cursor:
        # Fresh statistics and visibility maps, as autovacuum gives a live database (this
        # machine's server runs without it): without the map, counts that an index alone
        # answers (an index-only scan) read the table. VACUUM cannot run in a transaction
        # (the tests seed inside one): there, statistics only.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    return {
        "staff": staff,
        "admin": admin.pk,
        "researcher": researchers[0],
        "reviewer": reviewers[0],
        "custodian": custodians[0],
        "harm_report": harm_rows[0][0],
        "application": apps[-1][0],
    }


def _audit(apps, secretariat: int) -> None:
    from solidarity.audit.chain import compute_hash

    head = ChainHead.objects.filter(pk=1).first()
    prev = head.last_hash if head else GENESIS
    length = head.length if head else 0
    next_id = (AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    def rows():
        nonlocal prev, next_id, length
        for pk, state, applicant, created, submitted, decided, reference in apps:
            steps = [("application.create", applicant, created, "", "draft")]
            if submitted:
                steps.append(("application.submit", applicant, submitted, "draft", "submitted"))
            if state not in {S.DRAFT, S.SUBMITTED}:
                steps.append(
                    (f"application.{state}", secretariat, decided or submitted, "submitted", state)
                )
            for action, actor, at, before, after in steps:
                event = AuditEvent(
                    id=next_id,
                    created_at=at,
                    actor_id=actor,
                    actor_label=f"user{actor}",
                    action=action,
                    target_type="applications.application",
                    target_id=str(pk),
                    target_repr=f"{reference or 'Draft'}: Study {pk}",
                    from_state=before,
                    to_state=after,
                    payload={},
                    prev_hash=prev,
                )
                event.hash = compute_hash(prev, event)
                yield (
                    event.id,
                    event.created_at,
                    event.actor_id,
                    event.actor_label,
                    event.action,
                    event.target_type,
                    event.target_id,
                    event.target_repr,
                    event.from_state,
                    event.to_state,
                    "{}",
                    event.prev_hash,
                    event.hash,
                )
                prev = event.hash
                next_id += 1
                length += 1

    _copy(
        AuditEvent,
        [
            "id",
            "created_at",
            "actor_id",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "from_state",
            "to_state",
            "payload",
            "prev_hash",
            "hash",
        ],
        rows(),
    )
    ChainHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "length": length})


def add_audit_events(count: int) -> None:
    """Append ``count`` chained events (for the ``verify_audit`` measurement)."""
    now = timezone.now()
    apps = [
        (n + 1, S.DRAFT, None, now - datetime.timedelta(seconds=count - n), None, None, None)
        for n in range(count)
    ]
    _audit(apps, None)
    _reset_sequences()


def _reset_sequences() -> None:
    from django.apps import apps as registry

    models = [m for m in registry.get_models(include_auto_created=True)]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
