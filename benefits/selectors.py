"""Read queries for agreements, obligations and the fund, in a fixed number of queries."""

import hashlib
from collections import defaultdict
from datetime import date

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from solidarity.accounts.roles import Role, has_role

from .models import (
    MONETARY_KINDS,
    AgreementState,
    BenefitAgreement,
    FundEntry,
    FundReservation,
    FundTransaction,
    LedgerAccount,
    Obligation,
    ObligationReport,
    ObligationState,
    ReportState,
    ReservationState,
    Signature,
    TermsVersion,
    TransactionKind,
)
from .permissions import OVERSIGHT_ROLES
from .rules import (
    ACTIVATING,
    DRAFTABLE_APPLICATION_STATES,
    OBLIGATION,
    REPORTABLE,
    SIGNED,
    owes_nothing_q,
)


def _agreement_scope(user) -> Q | None:
    """None: everything; otherwise the filter that says what this user may see.

    Researchers see what hangs on their own applications, not their whole organisation's;
    accepted co-applicants see it too (read-only: only the applicant signs and reports).
    """
    if has_role(user, *OVERSIGHT_ROLES):
        return None
    from applications.team import ApplicationMember, MemberState

    return Q(application__applicant=user) | Exists(
        ApplicationMember.objects.filter(
            application_id=OuterRef("application_id"), user_id=user.pk, state=MemberState.ACCEPTED
        )
    )


def _obligation_count(**conditions):
    """A correlated COUNT per agreement row: computed for the page's rows only, so the list is
    ordered and cut by its index before anything is counted (no GROUP BY over every row)."""
    return Coalesce(
        Subquery(
            Obligation.objects.filter(agreement_id=OuterRef("pk"), **conditions)
            .order_by()
            .values("agreement_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def agreements_visible_to(user, *, state: str = "", search: str = "") -> QuerySet:
    """Agreements this user may see, with their application and obligation counts."""
    if not getattr(user, "is_authenticated", False):
        return BenefitAgreement.objects.none()
    qs = BenefitAgreement.objects.all()
    scope = _agreement_scope(user)
    if scope is not None:
        visible_ids = BenefitAgreement.objects.filter(scope).values("pk")
        qs = qs.filter(pk__in=visible_ids)
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(
            Q(application__reference__icontains=search) | Q(application__title__icontains=search)
        )
    return (
        qs.select_related("application", "application__applicant", "application__organisation")
        .annotate(
            obligation_count=_obligation_count(),
            open_count=_obligation_count(state__in=OBLIGATION.sources_of("report")),
            overdue_count=_obligation_count(state=ObligationState.OVERDUE),
        )
        .order_by("-created_at", "-id")
    )


def agreement_detail(user, pk) -> BenefitAgreement | None:
    """One agreement with everything its page shows, or None when the user may not see it."""
    qs = (
        agreements_visible_to(user)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "obligations",
                queryset=Obligation.objects.order_by("due_date", "id").prefetch_related(
                    Prefetch(
                        "reports",
                        queryset=ObligationReport.objects.select_related(
                            "reported_by", "reviewed_by"
                        ).order_by("-reported_at", "-id"),
                    )
                ),
            ),
            Prefetch("signatures", queryset=Signature.objects.select_related("signer")),
            Prefetch(
                "versions",
                queryset=TermsVersion.objects.select_related("created_by").order_by("-number"),
            ),
        )
    )
    return qs.select_related("drafted_by").first()


def obligations_visible_to(user, *, state: str = "") -> QuerySet:
    """Obligations of the agreements this user may see (the API list)."""
    if not getattr(user, "is_authenticated", False):
        return Obligation.objects.none()
    qs = Obligation.objects.filter(agreement__in=agreements_visible_to(user).values("pk"))
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("agreement", "agreement__application").order_by("due_date", "id")


def obligation_for(user, pk) -> Obligation | None:
    return obligations_visible_to(user).filter(pk=pk).first()


def report_for(user, pk) -> ObligationReport | None:
    """A report (for its evidence file) if the user may see its agreement."""
    return (
        ObligationReport.objects.filter(
            pk=pk, obligation__in=obligations_visible_to(user).values("pk")
        )
        .select_related("obligation")
        .first()
    )


def approved_applications_without_agreement() -> QuerySet:
    """Approved projects still waiting for a benefit agreement to be drafted."""
    from applications.models import Application

    live = BenefitAgreement.objects.exclude(state=AgreementState.TERMINATED)
    return (
        Application.objects.filter(state__in=DRAFTABLE_APPLICATION_STATES)
        .exclude(pk__in=live.values("application_id"))
        .select_related("applicant", "organisation")
        .order_by("decided_at", "id")
    )


def reports_to_verify() -> QuerySet:
    return (
        ObligationReport.objects.filter(state=ReportState.SUBMITTED)
        .select_related("obligation__agreement__application", "reported_by")
        .order_by("reported_at", "id")
    )


def overdue_obligations(user=None) -> QuerySet:
    qs = Obligation.objects.filter(state=ObligationState.OVERDUE)
    if user is not None and not has_role(user, *OVERSIGHT_ROLES):
        qs = qs.filter(agreement__application__applicant=user)
    return qs.select_related("agreement__application").order_by("due_date", "id")


def agreements_to_sign(user) -> QuerySet:
    """Proposed agreements where the user's side has not signed the current version."""
    qs = BenefitAgreement.objects.filter(state=AgreementState.PROPOSED)
    if has_role(user, Role.BENEFIT_OFFICER):
        side_filter = Q(signatures__side="committee")
    else:
        qs = qs.filter(application__applicant=user)
        side_filter = Q(signatures__side="applicant")
    signed = BenefitAgreement.objects.filter(
        side_filter, signatures__version=F("terms_version")
    ).values("pk")
    return qs.exclude(pk__in=signed).select_related("application").order_by("proposed_at", "id")


def obligations_due(user) -> QuerySet:
    """The researcher's obligations to report on, soonest first; a closed project owes no
    more reports (its obligations stay as they were, for the record)."""
    return (
        Obligation.objects.filter(
            agreement__application__applicant=user,
            state__in=OBLIGATION.sources_of("report"),
            agreement__state__in=REPORTABLE,
        )
        .exclude(owes_nothing_q())
        .select_related("agreement__application")
        .order_by("due_date", "id")
    )


def agreements_in_breach() -> QuerySet:
    """Agreements flagged in breach, for the chair, with what is overdue."""
    return (
        BenefitAgreement.objects.filter(state=AgreementState.BREACHED)
        .select_related("application", "application__applicant")
        .annotate(overdue_count=Count("obligations", filter=Q(obligations__state="overdue")))
        .order_by("breached_at", "id")
    )


def has_signed_agreement(application) -> bool:
    return BenefitAgreement.objects.filter(application=application, state__in=ACTIVATING).exists()


# --- the fund --------------------------------------------------------------------------------


def fund_balance(*, currency: str) -> int:
    """The fund's balance in one currency, in minor units, derived from the ledger."""
    total = FundEntry.objects.filter(account=LedgerAccount.FUND, currency=currency).aggregate(
        total=Sum("amount_minor")
    )["total"]
    return int(total or 0)


def fund_balances() -> dict[str, int]:
    """Every currency the fund has held, with its balance in minor units (one query)."""
    rows = (
        FundEntry.objects.filter(account=LedgerAccount.FUND)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("currency")
    )
    return {row["currency"]: int(row["total"] or 0) for row in rows}


def fund_reserved(*, currency: str) -> int:
    """Money earmarked by open reservations in one currency, in minor units."""
    total = FundReservation.objects.filter(
        currency=currency, state=ReservationState.OPEN
    ).aggregate(total=Sum("amount_minor"))["total"]
    return int(total or 0)


def fund_available(*, currency: str) -> int:
    """What the fund can still promise or pay in one currency: balance minus reservations."""
    return fund_balance(currency=currency) - fund_reserved(currency=currency)


def fund_positions() -> dict[str, dict[str, int]]:
    """Per currency: ``{"balance", "reserved", "available"}`` in minor units (two queries)."""
    balances = fund_balances()
    reserved = {
        row["currency"]: int(row["total"] or 0)
        for row in FundReservation.objects.filter(state=ReservationState.OPEN)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("currency")
    }
    return {
        currency: {
            "balance": balances.get(currency, 0),
            "reserved": reserved.get(currency, 0),
            "available": balances.get(currency, 0) - reserved.get(currency, 0),
        }
        for currency in sorted(set(balances) | set(reserved))
    }


def fund_open_reservations() -> QuerySet:
    """Open reservations, oldest first: what the fund has promised and not yet paid."""
    return (
        FundReservation.objects.filter(state=ReservationState.OPEN)
        .select_related("created_by")
        .order_by("created_at", "id")
    )


def fund_transactions(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str = "",
    source_type: str = "",
    currency: str = "",
    agreement_id: int | None = None,
) -> QuerySet:
    """Ledger transactions, newest first, filtered by period (inclusive dates) and source."""
    qs = FundTransaction.objects.select_related(
        "created_by", "agreement", "agreement__application", "corrects"
    )
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    if kind:
        qs = qs.filter(kind=kind)
    if source_type:
        qs = qs.filter(source_type=source_type)
    if currency:
        qs = qs.filter(currency=currency)
    if agreement_id:
        qs = qs.filter(agreement_id=agreement_id)
    return qs.order_by("-created_at", "-id")


def fund_totals_by_agreement(transactions: QuerySet, *, agreement_ids=None) -> list[dict]:
    """Net amount per agreement and currency over the given transactions; only for the
    agreements in ``agreement_ids`` when given (a page's), never one row per agreement ever."""
    if agreement_ids is not None:
        transactions = transactions.filter(agreement_id__in=[i for i in agreement_ids if i])
    rows = (
        transactions.filter(agreement__isnull=False)
        .order_by()
        .values(
            "agreement_id",
            "agreement__application__reference",
            "agreement__application__title",
            "currency",
        )
        .annotate(total=Sum("amount_minor"))
        .order_by("agreement_id", "currency")
    )
    return list(rows)


def fund_totals_by_community(transactions: QuerySet) -> list[dict]:
    """Net amount per named community and currency over the given transactions."""
    rows = (
        transactions.exclude(community="")
        .order_by()
        .values("community", "currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("community", "currency")
    )
    return list(rows)


# The ledger page's totals are kept for the audit chain's tip (every fund movement and
# reservation change is audited): a key names a state, so an entry is never stale, only unused.
_SUMMARY_SECONDS = 60 * 60


def fund_page_summary(transactions: QuerySet, *, filters: str) -> dict:
    """The ledger page's totals: ``positions`` (per currency, ``fund_positions``) and
    ``by_community`` over the filtered ``transactions`` (``filters`` names the filter), read
    once per state of the ledger. Both sum every entry of the fund (28 ms each at 100,000
    transactions), on every request before."""
    from solidarity.audit.models import AuditEvent
    from solidarity.held_cache import tolerant as cache

    tip = AuditEvent.objects.governed_tip()
    key = "fund:summary:" + hashlib.sha256(f"{tip}\n{filters}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = {
            "positions": sorted(fund_positions().items()),
            "by_community": fund_totals_by_community(transactions),
        }
        cache.set(key, found, _SUMMARY_SECONDS)
    return found


def fund_source_types() -> list[str]:
    """The distinct non-empty sources of ledger entries, in order.

    A skip scan over the ``source_type`` index (one probe per distinct value), not a DISTINCT
    over every entry of the ledger.
    """
    table = connection.ops.quote_name(FundTransaction._meta.db_table)
    sql = f"""
        WITH RECURSIVE found(source) AS (
            SELECT MIN(source_type) FROM {table} WHERE source_type > ''
            UNION ALL
            SELECT (SELECT MIN(source_type) FROM {table} WHERE source_type > found.source)
            FROM found WHERE found.source IS NOT NULL
        )
        SELECT source FROM found WHERE source IS NOT NULL
    """  # noqa: S608 - the table name is the model's, no user input
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


# --- the public register -------------------------------------------------------------------


def public_benefit_summary(application_ids) -> dict[int, dict]:
    """What each project gives back, in plain language, and how much it has paid in so far.

    For the public register: one entry per application id that has a signed (or later)
    agreement; applications without one are absent. Three queries, whatever the number of ids.
    Each value: ``{"agreement_id", "state", "state_label", "kind", "kind_label",
    "obligations": [{"kind", "label", "description", "beneficiary", "community", "state",
    "state_label", "recurrence_label"}], "paid": {currency: minor units}}``.
    """
    ids = [int(i) for i in application_ids]
    if not ids:
        return {}
    agreements = (
        BenefitAgreement.objects.filter(
            application_id__in=ids,
            state__in=SIGNED,
        )
        .prefetch_related(Prefetch("obligations", queryset=Obligation.objects.order_by("id")))
        .order_by("id")
    )
    paid: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        FundTransaction.objects.filter(agreement__application_id__in=ids)
        .order_by()
        .values("agreement__application_id", "currency")
        .annotate(total=Sum("amount_minor"))
    ):
        paid[row["agreement__application_id"]][row["currency"]] = int(row["total"] or 0)
    summary: dict[int, dict] = {}
    for agreement in agreements:
        summary[agreement.application_id] = {
            "agreement_id": agreement.pk,
            "state": agreement.state,
            "state_label": agreement.get_state_display(),
            "kind": agreement.kind,
            "kind_label": agreement.get_kind_display(),
            "obligations": [
                {
                    "kind": o.kind,
                    "label": o.get_kind_display(),
                    "description": o.description,
                    "beneficiary": o.beneficiary,
                    "beneficiary_label": o.get_beneficiary_display(),
                    "community": o.community,
                    "state": o.state,
                    "state_label": o.get_state_display(),
                    "recurrence_label": o.get_recurrence_display(),
                    "monetary": o.kind in MONETARY_KINDS,
                }
                for o in agreement.obligations.all()
            ],
            "paid": paid.get(agreement.application_id, {}),
        }
    return summary


# The public fund page (``solidarity.register.fund``) reads the ledger through these.


def public_fund_inflows() -> list[dict]:
    """Money paid into the fund, summed per currency, source and project, with the project's
    reference, title and state and, for an obligation report, the obligation's kind
    (``obligation_kind``, "" otherwise). Nothing personal. Two queries."""
    rows = list(
        FundTransaction.objects.filter(kind=TransactionKind.INFLOW)
        .order_by()
        .values(
            "currency",
            "source_type",
            "source_id",
            "agreement__application__reference",
            "agreement__application__title",
            "agreement__application__state",
        )
        .annotate(total=Sum("amount_minor"))
    )
    report_ids = [
        int(r["source_id"])
        for r in rows
        if r["source_type"] == "obligation_report" and str(r["source_id"]).isdigit()
    ]
    kinds = dict(
        ObligationReport.objects.filter(pk__in=report_ids).values_list("pk", "obligation__kind")
    )
    for row in rows:
        source = str(row["source_id"])
        row["obligation_kind"] = (
            kinds.get(int(source), "")
            if row["source_type"] == "obligation_report" and source.isdigit()
            else ""
        )
    return rows


def public_fund_outflows(*, source_type: str) -> list[tuple[str, str, int]]:
    """Disbursements of one source type as ``(source_id, currency, amount_minor)``; amounts
    are negative (money leaving the fund). One query."""
    return list(
        FundTransaction.objects.filter(kind=TransactionKind.OUTFLOW, source_type=source_type)
        .order_by()
        .values_list("source_id", "currency", "amount_minor")
    )


def public_fund_months(*, counted_source_type: str) -> list[dict]:
    """The fund account's change per currency and calendar month, oldest first, with the
    number of outflows of ``counted_source_type`` in that month (``counted``). One query."""
    from django.db.models.functions import TruncMonth

    return list(
        FundEntry.objects.filter(account=LedgerAccount.FUND)
        .annotate(month=TruncMonth("transaction__created_at"))
        .order_by()
        .values("currency", "month")
        .annotate(
            change=Sum("amount_minor"),
            counted=Count(
                "transaction",
                filter=Q(
                    transaction__kind=TransactionKind.OUTFLOW,
                    transaction__source_type=counted_source_type,
                ),
                distinct=True,
            ),
        )
        .order_by("currency", "month")
    )
