"""The public register: approved data uses and what they give back. No personal data.

The register reads each app's public selectors; it changes nothing. Every field here is public
by design: organisations, datasets and plain-language text, never a person's name or contact.
"""

from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils.translation import gettext as _

from applications.models import Application, DatasetRequest
from applications.rules import AMENDMENT, public_q, under_amendment
from applications.selectors import application_search, approved_terms
from solidarity.catalog.models import Dataset
from solidarity.held_cache import tolerant as cache


@dataclass
class RegisterEntry:
    reference: str
    title: str
    lay_summary: str
    public_benefit: str
    state: str
    state_label: str
    use_type: str = ""
    use_type_reason: str = ""
    computed_type: str = ""
    amendment_under_review: bool = False
    organisations: list[dict] = field(default_factory=list)
    datasets: list[dict] = field(default_factory=list)
    decided_on: str = ""
    start_date: str = ""
    end_date: str = ""
    access_expires_on: str = ""
    commercial_involvement: bool = False
    gives_back: dict = field(default_factory=dict)
    harms: dict = field(default_factory=dict)
    # The fields the sector expects (HDR UK Data Use Register; mapping in the JSON Schema).
    access_date: str = ""
    access_type: str = ""
    ethics_approval: bool = False
    legal_basis_art6: str = ""
    legal_basis_art9: str = ""
    confidentiality_basis: str = ""
    national_opt_out: str = ""
    funders_sponsors: list[str] = field(default_factory=list)
    other_approval_committees: list[str] = field(default_factory=list)
    dataset_linkage: str = ""
    research_outputs: list[dict] = field(default_factory=list)
    accredited_researcher: str = ""

    @property
    def governance(self) -> list[tuple[str, str]]:
        """The legal and governance facts as (label, readable value), blanks left out."""
        from applications import hdruk

        rows = []
        for name in hdruk.FIELDS:
            if name == "research_outputs":
                continue
            value = getattr(self, name)
            text = "; ".join(value) if isinstance(value, list) else hdruk.label_of(name, value)
            if text:
                rows.append((str(hdruk.LABELS[name]), text))
        return rows


def _access_type(modes) -> str:
    """HDR UK's access type: data that leave the custodian are a release, else a TRE."""
    modes = set(modes)
    if not modes:
        return ""
    return "release" if "transfer" in modes else "trusted_research_environment"


def _hdruk_fields(app, fields: dict, requests) -> dict:
    """The HDR UK fields of an entry, from the approved terms where a project is amended."""
    from applications import hdruk

    def value(name):
        return fields.get(name, getattr(app, name)) or ""

    def lines(name):
        return [line.strip() for line in value(name).splitlines() if line.strip()]

    return {
        "access_date": app.activated_at.date().isoformat() if app.activated_at else "",
        "access_type": _access_type(r.access_mode for r in requests),
        "ethics_approval": bool(fields.get("ethics_approval", app.ethics_approval)),
        "legal_basis_art6": value("legal_basis_art6"),
        "legal_basis_art9": value("legal_basis_art9"),
        "confidentiality_basis": value("confidentiality_basis"),
        "national_opt_out": value("national_opt_out"),
        "funders_sponsors": lines("funders_sponsors"),
        "other_approval_committees": lines("other_approval_committees"),
        "dataset_linkage": value("dataset_linkage"),
        "research_outputs": hdruk.outputs(value("research_outputs")),
        "accredited_researcher": value("accredited_researcher"),
    }


def register_queryset(
    *,
    search: str = "",
    state: str = "",
    dataset: str = "",
    custodian: str = "",
    year: int | None = None,
    use_type: str = "",
) -> QuerySet:
    """Applications on the public register, filtered; drafts and undecided ones never appear."""
    qs = (
        Application.objects.filter(public_q(), reference__isnull=False)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "dataset_requests",
                queryset=DatasetRequest.objects.select_related("dataset__custodian").order_by("id"),
            )
        )
        .order_by("-decided_at", "-id")
    )
    # Only what the register shows is searched (not the scientific summary); best match first.
    qs = application_search(qs, search, public_only=True)
    if state == "active":  # a project whose amendment is under review is still active
        qs = qs.filter(Q(state=state) | Q(state__in=AMENDMENT, activated_at__isnull=False))
    elif state:
        qs = qs.filter(state=state)
    # EXISTS rather than joins: no duplicate rows, so no DISTINCT, and the order's index serves.
    if dataset:
        qs = qs.filter(
            Exists(DatasetRequest.objects.filter(application=OuterRef("pk"), dataset_id=dataset))
        )
    if custodian:
        qs = qs.filter(
            Exists(
                DatasetRequest.objects.filter(
                    application=OuterRef("pk"), dataset__custodian__slug=custodian
                )
            )
        )
    if year:
        qs = qs.filter(decided_at__year=year)
    if use_type:
        ids = [pk for pk, info in _classifications(None).items() if info.get("type") == use_type]
        qs = qs.filter(pk__in=ids)
    return qs


def _classifications(application_ids) -> dict:
    try:
        from reviews.selectors import public_classifications
    except ImportError:
        return {}
    return public_classifications(application_ids=application_ids)


def _benefits(application_ids) -> dict:
    try:
        from benefits.selectors import public_benefit_summary
    except ImportError:
        return {}
    return public_benefit_summary(application_ids)


def _gives_back(summary: dict | None) -> dict:
    """Plain-language text of what a project gives back and what it has paid in."""
    if not summary:
        return {}
    from benefits.money import format_amount

    parts = []
    for obligation in summary.get("obligations", []):
        text = f"{obligation['label']}: {obligation['description']}"
        if obligation.get("community"):
            text += f" ({obligation['community']})"
        parts.append(text)
    paid = summary.get("paid", {})
    return {
        "agreement": summary.get("state_label", ""),
        "obligations": parts,
        "summary": "; ".join(parts),
        "paid_in": paid,
        "paid_in_display": ", ".join(
            format_amount(amount, currency) for currency, amount in sorted(paid.items())
        ),
    }


HARM_FAMILY_CACHE_SECONDS = 24 * 3600


def _harm_family_version() -> str:
    """A cheap fingerprint of everything the protected harm statistics depend on: reports
    (count, newest id, newest move: every move saves ``updated_at``), their links to projects
    and to datasets (count and newest id: a link made or removed), the datasets (newest
    change: a title the per-dataset table shows) and the projects on the register (count,
    newest change). One query."""
    from harms.models import HarmReport

    def scalar(qs, aggregate):
        return Subquery(
            qs.order_by().annotate(one=Value(1)).values("one").annotate(v=aggregate).values("v")
        )

    links = HarmReport.applications.through.objects.all()
    dataset_links = HarmReport.datasets.through.objects.all()
    public = Application.objects.filter(public_q(), reference__isnull=False)
    row = HarmReport.objects.aggregate(
        n=Count("pk"),
        last=Max("pk"),
        moved=Max("updated_at"),
        links=Max(scalar(links, Count("pk"))),
        last_link=Max(scalar(links, Max("pk"))),
        dataset_links=Max(scalar(dataset_links, Count("pk"))),
        last_dataset_link=Max(scalar(dataset_links, Max("pk"))),
        datasets_changed=Max(scalar(Dataset.objects.all(), Max("updated_at"))),
        projects=Max(scalar(public, Count("pk"))),
        changed=Max(scalar(public, Max("updated_at"))),
    )
    moved, changed = row["moved"], row["changed"]
    return "-".join(
        str(v)
        for v in (
            row["n"],
            row["last"],
            moved.timestamp() if moved else "",
            row["links"],
            row["last_link"],
            row["dataset_links"],
            row["last_dataset_link"],
            row["datasets_changed"].timestamp() if row["datasets_changed"] else "",
            row["projects"],
            changed.timestamp() if changed else "",
        )
    )


def _harm_family_key(version: str, part) -> str:
    return f"register:harm-family:{version}:{part}"


# The version whose family was computed last: served, still protected as a whole, while the
# family of a newer version is computed by a task (``tasks.refresh_harm_statistics``).
HARM_FAMILY_LATEST = "register:harm-family:latest"
# Set while this request was served an older family: what it built must not be cached
# against the audit chain's tip (``caching``), which the new family will not move.
provisional_statistics: ContextVar[bool] = ContextVar("provisional_statistics", default=False)
HARM_FAMILY_REFRESH_SECONDS = 600


def _harm_family_register(version: str) -> tuple[str, dict]:
    """``(version served, the register's protected statistics)``.

    Protecting every project together costs seconds of CPU at 10,000 projects with reports,
    and any harm move changes the version. So a reader who finds only an older family is
    served that one (consistent in itself: the register's and every project's figures come
    from one snapshot) while one task computes the new one; without any family, or when no
    task can be queued, the reader computes it. With tasks run eagerly (development, tests)
    the new family is computed on the spot and served."""
    register = cache.get(_harm_family_key(version, "register"))
    if register is not None:
        return version, register
    latest = cache.get(HARM_FAMILY_LATEST)
    stale = cache.get(_harm_family_key(latest, "register")) if latest else None
    if stale is not None and _refresh_later(version):
        fresh = cache.get(_harm_family_key(version, "register"))
        if fresh is not None:
            return version, fresh
        provisional_statistics.set(True)
        return latest, stale
    return version, _harm_family(version)["register"]


def _refresh_later(version: str) -> bool:
    """Queue one computation of the family per version; False when it cannot be queued."""
    from solidarity.queueing import enqueue

    from .tasks import refresh_harm_statistics

    if not cache.add(f"register:harm-family:refreshing:{version}", 1, HARM_FAMILY_REFRESH_SECONDS):
        return True  # already queued
    return enqueue(refresh_harm_statistics, what="the register's harm statistics")


def refresh_harm_family() -> str:
    """Compute and keep the family of the current version (the task's body)."""
    version = _harm_family_version()
    if cache.get(_harm_family_key(version, "register")) is None:
        _harm_family(version)
    return version


def _no_reports(counts: dict) -> dict:
    """The raw counts of a project that no report names, in the shape ``harm_counts`` gives."""
    return {
        "total": 0,
        "by_category": [(key, label, 0) for key, label, _n in counts["by_category"]],
        "by_state": [(key, label, 0) for key, label, _n in counts["by_state"]],
        "by_year": [],
        "by_quarter": [],
    }


def _harm_family(version: str) -> dict:
    """Protect the register's and every listed project's statistics together
    (``disclosure.protect_register_family``), store them in the cache under ``version`` and
    return the register's. Three queries (four while a project's total is withheld), however
    many projects and datasets."""
    from harms.selectors import harm_counts, harm_counts_by_application

    from .disclosure import protect_project_statistics, protect_register_family

    public = Application.objects.filter(public_q(), reference__isnull=False)
    register_counts = harm_counts()
    register, projects = protect_register_family(
        register_counts, harm_counts_by_application(applications=public.values("pk"))
    )
    register = _with_dataset_tables(register, projects, public.values("pk"))
    values = {_harm_family_key(version, pk): stats for pk, stats in projects.items()}
    values[_harm_family_key(version, "register")] = register
    # A project without reports (the family holds every one with reports): read without a query.
    values[_harm_family_key(version, "none")] = protect_project_statistics(
        _no_reports(register_counts), register
    )
    cache.set_many(values, HARM_FAMILY_CACHE_SECONDS)
    cache.set(HARM_FAMILY_LATEST, version, HARM_FAMILY_CACHE_SECONDS)
    return {"register": register, "projects": projects}


def _with_dataset_tables(register: dict, projects: dict, public) -> dict:
    """The register's statistics with its reports per custodian and per dataset
    (``disclosure`` rule 6). One query, two when a project's total is withheld."""
    from harms.selectors import harm_counts_by_dataset

    from .disclosure import DATASET_TABLES, protect_dataset_statistics

    counts = harm_counts_by_dataset()
    hidden = {
        pk for pk, stats in projects.items() if stats.get("total", {}).get("count", 0) is None
    }
    tied = []
    if hidden and counts["by_dataset"]:
        # The named datasets a hidden project uses, with how many listed projects use each
        # (aggregated in the database: a dataset's requests can be tens of thousands).
        named = [pk for pk, *_rest in counts["by_dataset"]]
        usage = (
            DatasetRequest.objects.filter(application__in=public, dataset_id__in=named)
            .order_by()
            .values("dataset_id")
            .annotate(users=Count("application_id", distinct=True), only=Min("application_id"))
            .values_list("dataset_id", "users", "only")
        )
        tied = sorted(pk for pk, users, only in usage if users == 1 and only in hidden)
    tables = protect_dataset_statistics(counts, register, tied)
    return {
        **register,
        **{name: tables[name] for name in DATASET_TABLES},
        "withheld_tables": register["withheld_tables"] + tables["withheld_tables"],
    }


def _localised(stats: dict) -> dict:
    """Protected statistics with their labels and texts in the active language: the family
    is computed once, in whatever language its request or task ran, and read in every one."""
    if not stats:
        return stats
    from harms.models import HarmCategory, HarmReportState

    from .disclosure import DATASET_TABLES, display_of

    names = {"by_category": dict(HarmCategory.choices), "by_state": dict(HarmReportState.choices)}
    out = dict(stats)
    out["total"] = {
        **stats["total"],
        "label": _("All reports"),
        "display": display_of(stats["total"]),
    }
    for table in ("by_category", "by_state", "by_year", "by_quarter", *DATASET_TABLES):
        labels = names.get(table, {})
        out[table] = [
            {
                **row,
                "label": str(labels[row["key"]]) if row["key"] in labels else row["label"],
                "display": display_of(row),
            }
            for row in stats.get(table) or []
        ]
    return out


def _protected_harms() -> dict:
    try:
        from harms.selectors import harm_counts  # noqa: F401
    except ImportError:
        return {}
    return _localised(_harm_family_register(_harm_family_version())[1])


def _harms_for(application_id: int) -> dict:
    return _localised(_harms_for_raw(application_id))


def _harms_for_raw(application_id: int) -> dict:
    """One project's harm statistics, protected with every other project's against the
    register's (``disclosure`` rules 1-5), from the cache when the reports have not changed
    since. One query on a hit (a project without reports too), three after a change."""
    try:
        from harms.selectors import harm_counts
    except ImportError:
        return {}
    from .disclosure import protect_project_statistics, withheld_statistics

    version = _harm_family_version()
    register_key = _harm_family_key(version, "register")
    project_key = _harm_family_key(version, application_id)
    none_key = _harm_family_key(version, "none")
    found = cache.get_many([register_key, project_key, none_key])
    if project_key in found:
        return found[project_key]
    if register_key in found and none_key in found:
        return found[none_key]  # the family names every project with reports: none for this one
    if register_key not in found:
        served, register = _harm_family_register(version)
        if served != version:
            # An older family while the new one is computed: this project's figures from it,
            # or, if it had none then, nothing until the new family is ready.
            stats = cache.get(_harm_family_key(served, application_id))
            if stats is not None:
                return stats
            counts = harm_counts(application_ids=[application_id])
            if not counts["total"]:
                return protect_project_statistics(counts, register)
            return withheld_statistics()
        found = {register_key: register, **cache.get_many([project_key, none_key])}
        if project_key in found:
            return found[project_key]
        if none_key in found:
            return found[none_key]
    if register_key in found:
        counts = harm_counts(application_ids=[application_id])
        if not counts["total"]:
            return protect_project_statistics(counts, found[register_key])
    family = _harm_family(version)
    if application_id in family["projects"]:
        return family["projects"][application_id]
    return protect_project_statistics(
        harm_counts(application_ids=[application_id]), family["register"]
    )


def register_entries(
    applications, *, with_harms: bool = False, with_benefits: bool = True
) -> list[RegisterEntry]:
    """Build entries for a page of applications in a fixed number of queries.

    Per-project harm statistics cost a query each, so only a single entry's page asks for them.
    What a project gives back costs three queries: a page that does not show it leaves it out
    (``with_benefits=False``; ``gives_back`` is then empty).
    """
    applications = list(applications)
    ids = [a.pk for a in applications]
    types = _classifications(ids)
    # A project under amendment shows the terms last approved until the committee decides.
    approved = approved_terms(applications)
    benefits = _benefits(ids) if with_benefits else {}
    entries = []
    for app in applications:
        requests = list(app.dataset_requests.all())
        terms = approved.get(app.pk)
        amending = under_amendment(app)
        fields = dict(terms["fields"]) if terms else {}
        if terms is not None:
            kept = {d["dataset_id"] for d in terms.get("datasets", [])}
            requests = [r for r in requests if r.dataset_id in kept]
        orgs = {}
        if app.organisation:
            orgs[app.organisation.name] = {
                "name": app.organisation.name,
                "country": app.organisation.country,
                "role": "applicant",
            }
        for request in requests:
            custodian = request.dataset.custodian
            orgs.setdefault(
                custodian.name,
                {"name": custodian.name, "country": custodian.country, "role": "custodian"},
            )
        info = types.get(app.pk, {})
        entries.append(
            RegisterEntry(
                reference=app.reference,
                title=fields.get("title", app.title),
                lay_summary=fields.get("lay_summary", app.lay_summary),
                public_benefit=fields.get("public_benefit", app.public_benefit),
                state="active" if amending else app.state,
                state_label=(
                    _("Active — amendment under review")
                    if amending
                    else str(app.get_state_display())
                ),
                amendment_under_review=amending,
                use_type=info.get("type", ""),
                use_type_reason=info.get("reason", ""),
                computed_type=info.get("computed_type", ""),
                organisations=list(orgs.values()),
                datasets=[
                    {
                        "id": r.dataset_id,
                        "title": r.dataset.title,
                        "custodian": r.dataset.custodian.name,
                        "access_mode": r.access_mode,
                        "access_mode_label": str(r.get_access_mode_display()),
                        "custodian_decision": r.custodian_decision,
                    }
                    for r in requests
                ],
                decided_on=app.decided_at.date().isoformat() if app.decided_at else "",
                start_date=fields.get("start_date")
                or (app.start_date.isoformat() if app.start_date else ""),
                end_date=fields.get("end_date")
                or (app.end_date.isoformat() if app.end_date else ""),
                access_expires_on=(
                    app.access_expires_on.isoformat() if app.access_expires_on else ""
                ),
                commercial_involvement=fields.get(
                    "commercial_involvement", app.commercial_involvement
                ),
                gives_back=_gives_back(benefits.get(app.pk)),
                harms=_harms_for(app.pk) if with_harms else {},
                **_hdruk_fields(app, fields, requests),
            )
        )
    return entries


def register_entry(reference: str) -> RegisterEntry | None:
    app = register_queryset().filter(reference=reference).first()
    return register_entries([app], with_harms=True)[0] if app else None


def register_entry_with_why(reference: str) -> tuple[RegisterEntry, dict] | None:
    """One entry and why it was allowed (``solidarity.register.why``), in a fixed number of
    queries whatever the number of reviewers, conditions or datasets."""
    from .why import register_why

    app = register_queryset().filter(reference=reference).first()
    if app is None:
        return None
    entry = register_entries([app], with_harms=True)[0]
    return entry, register_why(app, entry)


def register_harm_statistics() -> dict:
    """Counts of harm reports by category, state and year, with primary and secondary
    suppression (``solidarity.register.disclosure``)."""
    return _protected_harms()


FEED_SIZE = 50


def register_feed_items(limit: int = FEED_SIZE) -> list[tuple[RegisterEntry, object, object]]:
    """The most recently new or changed register entries for the Atom feed, newest change
    first: ``(entry, updated_at, decided_at)``. A fixed number of queries."""
    applications = list(
        Application.objects.filter(public_q(), reference__isnull=False)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "dataset_requests",
                queryset=DatasetRequest.objects.select_related("dataset__custodian").order_by("id"),
            )
        )
        .order_by("-updated_at", "-id")[:limit]
    )
    entries = register_entries(applications)
    return [
        (entry, app.updated_at, app.decided_at or app.updated_at)
        for entry, app in zip(entries, applications, strict=True)
    ]
