"""The public register of approved data uses: no sign-in, no personal data."""

import csv
from dataclasses import asdict
from urllib.parse import quote

from django import forms
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from applications.models import PUBLIC_STATES, ApplicationState
from solidarity.catalog.models import Dataset
from solidarity.form_renderer import QUICK_RENDERER
from solidarity.pagination import paginate

from . import caching, selectors
from .disclosure import DATASET_TABLES

USE_TYPES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]

CSV_COLUMNS = [
    "reference",
    "title",
    "state",
    "use_type",
    "use_type_reason",
    "decided_on",
    "start_date",
    "end_date",
    "access_expires_on",
    "commercial_involvement",
    "organisations",
    "countries",
    "datasets",
    "custodians",
    "access_modes",
    "gives_back",
    "paid_in",
    "lay_summary",
    "public_benefit",
    # The fields the sector expects (HDR UK Data Use Register; REGISTER_SCHEMA maps them).
    "access_type",
    "access_date",
    "ethics_approval",
    "legal_basis_art6",
    "legal_basis_art9",
    "confidentiality_basis",
    "national_opt_out",
    "funders_sponsors",
    "other_approval_committees",
    "dataset_linkage",
    "research_outputs",
    "accredited_researcher",
]


class RegisterFilterForm(forms.Form):
    default_renderer = QUICK_RENDERER  # drawn on every request of the register (uncached part)

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    use_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any")), *USE_TYPES]
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    dataset = forms.ChoiceField(label=_("Dataset"), required=False)
    custodian = forms.ChoiceField(label=_("Custodian"), required=False)
    year = forms.IntegerField(
        label=_("Year decided"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ApplicationState.choices)
        self.fields["state"].choices = [("", _("Any"))] + [(s, labels[s]) for s in PUBLIC_STATES]
        # One read of the catalogue for both: the datasets, and the organisations holding one.
        rows = list(
            Dataset.objects.values_list("pk", "title", "custodian__slug", "custodian__name")
        )
        self.fields["dataset"].choices = [("", _("Any"))] + [
            (str(pk), title) for pk, title, _slug, _name in rows
        ]
        custodians = sorted({(slug, name) for _pk, _title, slug, name in rows}, key=_by_name)
        self.fields["custodian"].choices = [("", _("Any")), *custodians]


def _by_name(custodian: tuple[str, str]) -> tuple[str, str]:
    """Organisations by name (``Organisation.Meta.ordering``), case aside."""
    slug, name = custodian
    return name.casefold(), slug


def _filtered(request):
    form = RegisterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.register_queryset(
        search=data.get("q", ""),
        state=data.get("state", ""),
        dataset=data.get("dataset", ""),
        custodian=data.get("custodian", ""),
        year=data.get("year"),
        use_type=data.get("use_type", ""),
    )
    return form, qs


def _harm_trend_chart(stats: dict) -> str:
    quarters = stats.get("by_quarter") or [] if stats else []
    if not quarters:
        return ""
    from .fund import quarter_chart

    return quarter_chart(quarters, chart_id="harm-trend")


def _list_body(request) -> str:
    """The register's part of the list page: the same for every reader in a language."""
    harm_statistics = selectors.register_harm_statistics()
    form, qs = _filtered(request)
    page = paginate(request, qs, 20)
    entries = selectors.register_entries(page.object_list, with_benefits=False)
    return render_to_string(
        "register/_list_body.html",
        {
            "form": form,
            "page": page,
            "entries": _rows(entries),
            "harm_statistics": harm_statistics,
            "harm_trend_chart": _harm_trend_chart(harm_statistics),
            "query": request.GET.urlencode(),
        },
        request=request,
    )


def _rows(entries) -> list[dict]:
    """What each row shows, ready to print: one URL reversed per page, not one per row."""
    detail = reverse("register:detail", args=["DSA-0000-0"]).replace("DSA-0000-0", "{}")
    return [
        {
            "url": detail.format(quote(e.reference)),
            "reference": e.reference,
            "title": e.title,
            "use_type": e.use_type or "—",
            "state_label": e.state_label,
            "datasets": "; ".join(f"{d['title']} ({d['custodian']})" for d in e.datasets),
            "decided_on": e.decided_on or "—",
        }
        for e in entries
    ]


def register_list(request):
    version = caching.register_version()  # before the data: see ``caching``
    unchanged = caching.not_modified(version, request, "list")
    if unchanged is not None:
        return unchanged
    body = caching.cached(version, request, "list", lambda: _list_body(request))
    response = render(request, "register/list.html", {"body": mark_safe(body)})  # noqa: S308
    return caching.with_validators(response, version, request, "list")


def _entry_with_why(reference: str):
    from .why import why_chart

    found = selectors.register_entry_with_why(reference)
    if found is None:
        return False  # cached too: an unknown reference costs one read until the chain moves
    entry, why = found
    return entry, why, why_chart(why["assessment"], chart_id="why-chart")


def register_detail(request, reference):
    version = caching.register_version()
    unchanged = caching.not_modified(version, request, "detail")
    if unchanged is not None:
        return unchanged
    found = caching.cached(version, request, "detail", lambda: _entry_with_why(reference))
    if not found:
        raise Http404
    entry, why, chart = found
    response = render(
        request, "register/detail.html", {"entry": entry, "why": why, "why_chart": chart}
    )
    return caching.with_validators(response, version, request, "detail")


def _gives_back_text(entry) -> tuple[str, str]:
    gives = entry.gives_back or {}
    summary = gives.get("summary") or "; ".join(gives.get("obligations", []) or [])
    paid = gives.get("paid_in_display") or ""
    return str(summary), str(paid)


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def register_csv(request):
    _, qs = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="solidarity-register.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for chunk_start in range(0, qs.count(), 500):
        for entry in selectors.register_entries(qs[chunk_start : chunk_start + 500]):
            gives, paid = _gives_back_text(entry)
            writer.writerow(
                _cell(value)
                for value in [
                    entry.reference,
                    entry.title,
                    entry.state,
                    entry.use_type,
                    entry.use_type_reason,
                    entry.decided_on,
                    entry.start_date,
                    entry.end_date,
                    entry.access_expires_on,
                    "yes" if entry.commercial_involvement else "no",
                    "; ".join(o["name"] for o in entry.organisations),
                    "; ".join(sorted({o["country"] for o in entry.organisations})),
                    "; ".join(d["title"] for d in entry.datasets),
                    "; ".join(sorted({d["custodian"] for d in entry.datasets})),
                    "; ".join(sorted({d["access_mode"] for d in entry.datasets})),
                    gives,
                    paid,
                    entry.lay_summary,
                    entry.public_benefit,
                    entry.access_type,
                    entry.access_date,
                    "yes" if entry.ethics_approval else "no",
                    entry.legal_basis_art6,
                    entry.legal_basis_art9,
                    entry.confidentiality_basis,
                    entry.national_opt_out,
                    "; ".join(entry.funders_sponsors),
                    "; ".join(entry.other_approval_committees),
                    entry.dataset_linkage,
                    "; ".join(
                        f"{o['title']} <{o['url']}>" if o["url"] else o["title"]
                        for o in entry.research_outputs
                    ),
                    entry.accredited_researcher,
                ]
            )
    return response


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def register_pdf(request):
    """The register as PDF (``printing``): the whole register from the file a Celery task
    builds daily; a filtered selection rendered now if it has at most the limit of entries."""
    from . import printing

    form, qs = _filtered(request)
    chosen = form.cleaned_data.values() if form.is_bound else []
    filtered = any(value not in ("", None) for value in chosen)
    whole = printing.whole_register_path()
    if not filtered and whole.exists():
        return FileResponse(
            whole.open("rb"), as_attachment=True, filename=printing.WHOLE_REGISTER_NAME
        )
    count = qs.count()
    if count > printing.REGISTER_PDF_LIMIT:
        return render(
            request,
            "register/pdf_too_large.html",
            {"count": count, "limit": printing.REGISTER_PDF_LIMIT, "filtered": filtered},
            status=200,
        )
    return _pdf_response(printing.register_pdf(qs, filtered=filtered), printing.WHOLE_REGISTER_NAME)


def register_entry_pdf(request, reference):
    """One entry as PDF, with why it was allowed and its harm counts; rendered now."""
    from .printing import register_entry_pdf as build

    pdf = build(reference)
    if pdf is None:
        raise Http404
    return _pdf_response(pdf, f"{reference}.pdf")


def register_fund(request):
    """The public solidarity-fund page: inflows, redress by kind of harm, balance over time."""
    from .fund import balance_chart, fund_page

    page = fund_page()
    charts = [
        {
            "currency": currency,
            "points": points,
            "svg": balance_chart(points, currency, chart_id=f"balance-{currency}"),
        }
        for currency, points in sorted(page.balances.items())
    ]
    return render(request, "register/fund.html", {"page": page, "charts": charts})


def register_harms_csv(request):
    """The public harm statistics, one row per published cell, after disclosure control."""
    stats = selectors.register_harm_statistics()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="solidarity-harm-statistics.csv"'
    writer = csv.writer(response)
    writer.writerow(["table", "key", "label", "count", "display"])
    rows = [("total", stats.get("total"))] if stats.get("total") else []
    for table in ("by_category", "by_state", "by_year", "by_quarter", *DATASET_TABLES):
        rows.extend((table, cell) for cell in stats.get(table, []))
    for table, cell in rows:
        count = "" if cell["count"] is None else cell["count"]
        writer.writerow(
            _cell(v) for v in [table, cell["key"], cell["label"], count, cell["display"]]
        )
    for table in stats.get("withheld_tables", []):
        writer.writerow([table, "", "", "", "withheld"])
    return response


def register_json(request):
    _, qs = _filtered(request)
    entries = []
    for chunk_start in range(0, qs.count(), 500):
        entries.extend(
            asdict(e) for e in selectors.register_entries(qs[chunk_start : chunk_start + 500])
        )
    body = {
        "schema": request.build_absolute_uri("schema.json"),
        "entries": entries,
        "harm_statistics": selectors.register_harm_statistics(),
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'attachment; filename="solidarity-register.json"'
    return response


def _hdruk_properties() -> dict:
    """The HDR UK fields' schemas; ``_with_hdruk_mapping`` adds each field's ``x-hdruk``."""
    from applications import hdruk

    def codes(name):
        return {
            "enum": ["", *hdruk.CHOICES[name].values],
            "description": "; ".join(
                f"{value}: {label}" for value, label in hdruk.CHOICES[name].choices
            )
            + "; empty when not stated",
        }

    text_list = {"type": "array", "items": {"type": "string"}}
    return {
        "access_type": {
            "enum": ["trusted_research_environment", "release", ""],
            "description": "release when any dataset is transferred, else analysis in a "
            "trusted research environment or federated",
        },
        "access_date": {"type": "string", "description": "Date access began (ISO), or empty"},
        "ethics_approval": {"type": "boolean"},
        "legal_basis_art6": codes("legal_basis_art6"),
        "legal_basis_art9": codes("legal_basis_art9"),
        "confidentiality_basis": codes("confidentiality_basis"),
        "national_opt_out": codes("national_opt_out"),
        "funders_sponsors": {**text_list, "description": "Funders and sponsors"},
        "other_approval_committees": {**text_list, "description": "Other approval committees"},
        "dataset_linkage": {"type": "string", "description": "How datasets are linked"},
        "research_outputs": {
            "type": "array",
            "description": "Publications and other outputs; url is an http(s) link or empty",
            "items": {
                "type": "object",
                "properties": {"title": {"type": "string"}, "url": {"type": "string"}},
            },
        },
        "accredited_researcher": codes("accredited_researcher"),
    }


def _with_hdruk_mapping(schema: dict) -> dict:
    """Name, on each entry property, the HDR UK Data Use Register field it fills."""
    from applications.hdruk import HDRUK_MAPPING

    properties = schema["properties"]["entries"]["items"]["properties"]
    for name, hdruk_field in HDRUK_MAPPING.items():
        if name in properties:
            properties[name]["x-hdruk"] = hdruk_field
    properties["organisations"]["x-hdruk"] = HDRUK_MAPPING["organisation"]
    properties["decided_on"]["x-hdruk"] = HDRUK_MAPPING["decided_at"]
    properties["access_type"]["x-hdruk"] = HDRUK_MAPPING["access_modes"]
    return schema


REGISTER_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Solidarity public register of approved data uses",
    "type": "object",
    "$defs": {
        "harm_cell": {
            "type": "object",
            "properties": {
                "key": {"description": "The row's key (a slug, a code, a year or an id)"},
                "label": {"type": "string"},
                "count": {"type": ["integer", "null"], "description": "null when hidden"},
                "suppressed": {
                    "enum": ["", "primary", "withheld"],
                    "description": "primary: a count from 1 to 4; withheld: hidden so that no "
                    "small count can be worked out",
                },
                "display": {"type": "string"},
            },
        }
    },
    "properties": {
        "schema": {"type": "string"},
        "harm_statistics": {
            "type": "object",
            "description": "Harm reports by category, state, year and quarter, and by "
            "organisation holding the data and by dataset. Counts from 1 to 4 are "
            "null with suppressed 'primary' and the display 'fewer than 5' (a count from 1 to 4); "
            "counts that would let one be worked out from the total are null with suppressed "
            "'withheld' (any count from 0 to the total); with a total under 5 only the total is "
            "published. withheld_tables names breakdowns not published at all.",
            "properties": {
                "by_organisation": {
                    "type": "array",
                    "description": "Per custodian of a dataset some report names: the reports "
                    "naming any of its datasets (a report counts once per custodian). Reports "
                    "may name several datasets or none: this table need not sum to the total.",
                    "items": {"$ref": "#/$defs/harm_cell"},
                },
                "by_dataset": {
                    "type": "array",
                    "description": "Per dataset some report names (as the harm officer "
                    "confirmed; not the datasets of the projects a report names): the reports "
                    "naming it. A custodian's reports are those naming any of its datasets.",
                    "items": {
                        "allOf": [{"$ref": "#/$defs/harm_cell"}],
                        "properties": {
                            "key": {"type": "integer", "description": "The dataset's id"},
                            "organisation": {
                                "type": "string",
                                "description": "The custodian's name",
                            },
                            "organisation_key": {
                                "type": "string",
                                "description": "The custodian's slug (by_organisation's key)",
                            },
                        },
                    },
                },
            },
        },
        "entries": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["reference", "title", "state"],
                "properties": {
                    "reference": {"type": "string", "description": "DSA-<year>-<seq>"},
                    "title": {"type": "string"},
                    "lay_summary": {"type": "string", "description": "Plain-language summary"},
                    "public_benefit": {"type": "string"},
                    "state": {"enum": [str(s) for s in PUBLIC_STATES]},
                    "state_label": {"type": "string"},
                    "use_type": {
                        "enum": ["A", "B", "C", "D", ""],
                        "description": "A high value/low risk, B low value/low risk, "
                        "C high value/high risk, D prohibited; empty when not set",
                    },
                    "use_type_reason": {"type": "string"},
                    "organisations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "country": {"type": "string"},
                                "role": {"enum": ["applicant", "custodian"]},
                            },
                        },
                    },
                    "datasets": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "title": {"type": "string"},
                                "custodian": {"type": "string"},
                                "access_mode": {
                                    "enum": ["federated", "trusted_environment", "transfer"]
                                },
                                "access_mode_label": {"type": "string"},
                                "custodian_decision": {"enum": ["pending", "granted", "declined"]},
                            },
                        },
                    },
                    "decided_on": {"type": "string", "format": "date"},
                    "start_date": {"type": "string"},
                    "end_date": {"type": "string"},
                    "access_expires_on": {"type": "string"},
                    "commercial_involvement": {"type": "boolean"},
                    "gives_back": {
                        "type": "object",
                        "description": "What the project gives back and the amounts paid in",
                    },
                    "harms": {
                        "type": "object",
                        "description": "Harm-report counts for this project; counts below 5 "
                        "are suppressed",
                    },
                    **_hdruk_properties(),
                },
            },
        },
    },
}


REGISTER_SCHEMA = _with_hdruk_mapping(REGISTER_SCHEMA)


def register_schema(request):
    return JsonResponse(REGISTER_SCHEMA, json_dumps_params={"indent": 1})
