import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views import View

from solidarity.errors import DomainError
from solidarity.pagination import paginate

from . import selectors, services
from .forms import (
    AgreementDraftForm,
    AgreementTermsForm,
    FundAdjustForm,
    FundFilterForm,
    ObligationForm,
    ReasonForm,
    ReportForm,
)
from .models import AgreementKind, AgreementState, SignatureSide
from .money import to_decimal_string
from .permissions import can_adjust_fund, can_manage_agreements, can_view_fund, signing_side
from .rules import AGREEMENT, OBLIGATION
from .services.agreements import default_grace_days


def _apply_errors(form, exc: DomainError) -> None:
    for field, errors in exc.field_errors.items():
        form.add_error(field if field in form.fields else None, errors)
    if not exc.field_errors:
        form.add_error(None, exc.message)


def _agreement_or_404(request, pk):
    agreement = selectors.agreement_detail(request.user, pk)
    if agreement is None:
        raise Http404
    return agreement


def _obligation_or_404(request, pk):
    obligation = selectors.obligation_for(request.user, pk)
    if obligation is None:
        raise Http404
    return obligation


# What the agreement list shows: neither the long terms nor the project's texts are read.
_AGREEMENT_LIST_FIELDS = (
    "id",
    "kind",
    "state",
    "created_at",
    "application__reference",
    "application__title",
    "application__applicant__username",
    "application__applicant__first_name",
    "application__applicant__last_name",
    "application__applicant__display_name",
    "application__organisation__name",
)


def _agreement_rows(agreements) -> list[dict]:
    """The agreement list's cells, written once here (link, labels, counted phrases)."""
    from django.utils.formats import localize
    from django.utils.translation import ngettext

    from solidarity.listing import labels, pk_url

    kinds = labels(AgreementKind.choices)
    states = labels(AgreementState.choices)
    url = pk_url("benefits:agreement-detail")
    rows = []
    for a in agreements:
        application = a.application
        rows.append(
            {
                "pk": a.pk,
                "url": url(a.pk),
                "reference": application.reference or "",
                "title": application.title,
                "applicant": application.applicant,
                "organisation": application.organisation,
                "kind": kinds.get(a.kind, a.kind),
                "state": states.get(a.state, a.state),
                "obligations": ngettext(
                    "%(counter)s obligation", "%(counter)s obligations", a.obligation_count
                )
                % {"counter": localize(a.obligation_count)},
                "overdue": (
                    ngettext("%(counter)s overdue", "%(counter)s overdue", a.overdue_count)
                    % {"counter": localize(a.overdue_count)}
                    if a.overdue_count
                    else ""
                ),
            }
        )
    return rows


class AgreementListView(LoginRequiredMixin, View):
    def get(self, request):
        state = request.GET.get("state", "")
        if state not in AgreementState.values:
            state = ""
        search = request.GET.get("q", "").strip()[:100]
        qs = selectors.agreements_visible_to(request.user, state=state, search=search)
        page = paginate(request, qs.only(*_AGREEMENT_LIST_FIELDS), 25)
        return render(
            request,
            "benefits/agreement_list.html",
            {
                "page": page,
                "rows": _agreement_rows(page.object_list),
                "states": AgreementState.choices,
                "state": state,
                "q": search,
                "can_draft": can_manage_agreements(request.user),
            },
        )


class AgreementDraftView(LoginRequiredMixin, View):
    def _form(self, request, data=None):
        if not can_manage_agreements(request.user):
            raise PermissionDenied
        applications = selectors.approved_applications_without_agreement()
        initial = {
            "grace_days": default_grace_days(),
            "from_template": True,
            "kind": AgreementKind.PUBLIC_RESEARCH,
        }
        chosen = request.GET.get("application", "")
        if chosen.isdigit():
            application = applications.filter(pk=int(chosen)).first()
            if application is not None:
                initial["application"] = application.pk
                # The kind of use follows the project: commercial only with commercial involvement.
                if application.commercial_involvement:
                    initial["kind"] = AgreementKind.COMMERCIAL
        return AgreementDraftForm(data, applications=applications, initial=initial)

    def get(self, request):
        form = self._form(request)
        return render(request, "benefits/agreement_draft.html", {"form": form})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                agreement = services.agreement_draft(
                    actor=request.user,
                    application=form.cleaned_data["application"],
                    kind=form.cleaned_data["kind"],
                    grace_days=form.cleaned_data["grace_days"],
                    from_template=form.cleaned_data["from_template"],
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The agreement was drafted. Review its terms."))
                return redirect("benefits:agreement-detail", pk=agreement.pk)
        return render(request, "benefits/agreement_draft.html", {"form": form})


class AgreementDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        agreement = _agreement_or_404(request, pk)
        user = request.user
        current_sides = {
            s.side: s for s in agreement.signatures.all() if s.version == agreement.terms_version
        }
        # What this user may do now: the rulebook's moves (``benefits/rules.py``).
        actions = {t.name for t in AGREEMENT.available(user, agreement)}
        obligations = list(agreement.obligations.all())
        for obligation in obligations:
            obligation.actions = {t.name for t in OBLIGATION.available(user, obligation)}
            obligation.waiting_report = next(
                (r for r in obligation.reports.all() if r.state == "submitted"), None
            )
            if obligation.waiting_report is not None:
                waiting = obligation.waiting_report
                obligation.expected = (
                    waiting.amount_due_minor
                    if waiting.amount_due_minor is not None
                    else services.expected_amount(obligation, waiting.revenue_minor)
                )
        can_edit = AGREEMENT.allows("edit", user, agreement)
        return render(
            request,
            "benefits/agreement_detail.html",
            {
                "agreement": agreement,
                "application": agreement.application,
                "obligations": obligations,
                "signatures": list(agreement.signatures.all()),
                "versions": list(agreement.versions.all()),
                "applicant_signature": current_sides.get(SignatureSide.APPLICANT),
                "committee_signature": current_sides.get(SignatureSide.COMMITTEE),
                "actions": actions,
                "awaited": AGREEMENT.awaited(agreement),
                "can_edit": can_edit,
                "my_side": signing_side(user, agreement),
                "problems": services.missing_obligations(agreement) if can_edit else [],
                "reason_form": ReasonForm(),
            },
        )


class AgreementEditView(LoginRequiredMixin, View):
    def _agreement(self, request, pk):
        agreement = _agreement_or_404(request, pk)
        if not AGREEMENT.may_actor("edit", request.user, agreement):
            raise PermissionDenied
        return agreement

    def get(self, request, pk):
        agreement = self._agreement(request, pk)
        form = AgreementTermsForm(
            initial={
                "kind": agreement.kind,
                "terms": agreement.terms,
                "grace_days": agreement.grace_days,
            }
        )
        return render(
            request, "benefits/agreement_edit.html", {"form": form, "agreement": agreement}
        )

    def post(self, request, pk):
        agreement = self._agreement(request, pk)
        form = AgreementTermsForm(request.POST)
        if form.is_valid():
            try:
                services.agreement_update(
                    actor=request.user, agreement=agreement, **form.cleaned_data
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The terms were saved."))
                return redirect("benefits:agreement-detail", pk=agreement.pk)
        return render(
            request, "benefits/agreement_edit.html", {"form": form, "agreement": agreement}
        )


class _Action(LoginRequiredMixin, View):
    """POST-only transition on one object; a refusal comes back as a message on the
    agreement's page, where every action is offered."""

    needs_reason = False
    success = ""

    def load(self, request, pk):  # pragma: no cover - overridden
        raise NotImplementedError

    def agreement_id(self, obj) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def act(self, request, obj, reason):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.load(request, pk)
        back = redirect("benefits:agreement-detail", pk=self.agreement_id(obj))
        reason = ""
        if self.needs_reason:
            form = ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give a reason."))
                return back
            reason = form.cleaned_data["reason"]
        try:
            self.act(request, obj, reason)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.success)
        return back


class _AgreementAction(_Action):
    def load(self, request, pk):
        return _agreement_or_404(request, pk)

    def agreement_id(self, obj) -> int:
        return obj.pk


class AgreementProposeView(_AgreementAction):
    success = _("The agreement was proposed to the applicant.")

    def act(self, request, agreement, reason):
        services.agreement_propose(actor=request.user, agreement=agreement)


class AgreementSignView(_AgreementAction):
    success = _("Your signature was recorded.")

    def act(self, request, agreement, reason):
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            raise DomainError(_("Read the terms before you sign.")) from None
        services.agreement_sign(actor=request.user, agreement=agreement, version=version)


class AgreementReopenView(_AgreementAction):
    needs_reason = True
    success = _("The agreement is a draft again; propose it when the changes are made.")

    def act(self, request, agreement, reason):
        services.agreement_reopen(actor=request.user, agreement=agreement, reason=reason)


class AgreementTerminateView(_AgreementAction):
    needs_reason = True
    success = _("The agreement was terminated.")

    def act(self, request, agreement, reason):
        services.agreement_terminate(actor=request.user, agreement=agreement, reason=reason)


class AgreementSuspendProjectView(_AgreementAction):
    needs_reason = True
    success = _("The project was suspended.")

    def act(self, request, agreement, reason):
        services.agreement_suspend_project(actor=request.user, agreement=agreement, reason=reason)


class ObligationAddView(LoginRequiredMixin, View):
    def _agreement(self, request, pk):
        agreement = _agreement_or_404(request, pk)
        if not AGREEMENT.may_actor("edit", request.user, agreement):
            raise PermissionDenied
        return agreement

    def get(self, request, pk):
        agreement = self._agreement(request, pk)
        form = ObligationForm()
        return render(
            request, "benefits/obligation_form.html", {"form": form, "agreement": agreement}
        )

    def post(self, request, pk):
        agreement = self._agreement(request, pk)
        form = ObligationForm(request.POST)
        if form.is_valid():
            try:
                services.obligation_add(
                    actor=request.user, agreement=agreement, **form.service_fields()
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The obligation was added."))
                return redirect("benefits:agreement-detail", pk=agreement.pk)
        return render(
            request, "benefits/obligation_form.html", {"form": form, "agreement": agreement}
        )


class ObligationReportView(LoginRequiredMixin, View):
    def _obligation(self, request, pk):
        obligation = _obligation_or_404(request, pk)
        if not OBLIGATION.may_actor("report", request.user, obligation):
            raise PermissionDenied
        return obligation

    def _render(self, request, obligation, form):
        return render(
            request,
            "benefits/obligation_report.html",
            {"form": form, "obligation": obligation, "agreement": obligation.agreement},
        )

    def get(self, request, pk):
        obligation = self._obligation(request, pk)
        return self._render(request, obligation, ReportForm(obligation=obligation))

    def post(self, request, pk):
        obligation = self._obligation(request, pk)
        form = ReportForm(request.POST, request.FILES, obligation=obligation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.obligation_report(
                    actor=request.user,
                    obligation=obligation,
                    text=data.get("text", ""),
                    amount_minor=data.get("amount"),
                    revenue_minor=data.get("revenue"),
                    currency=obligation.currency,
                    evidence_link=data.get("evidence_link", ""),
                    evidence_file=data.get("evidence_file"),
                )
            except DomainError as exc:
                field_map = {"evidence_file": "evidence_file", "amount": "amount"}
                for field, errors in exc.field_errors.items():
                    target = field_map.get(field, field)
                    form.add_error(target if target in form.fields else None, errors)
                if not exc.field_errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your report was sent for verification."))
                return redirect("benefits:agreement-detail", pk=obligation.agreement_id)
        return self._render(request, obligation, form)


class _ObligationAction(_Action):
    def load(self, request, pk):
        return _obligation_or_404(request, pk)

    def agreement_id(self, obj) -> int:
        return obj.agreement_id


class ObligationVerifyView(_ObligationAction):
    success = _("The report was verified.")

    def act(self, request, obligation, reason):
        services.obligation_verify(actor=request.user, obligation=obligation)


class ObligationRejectView(_ObligationAction):
    needs_reason = True
    success = _("The report was sent back to the applicant.")

    def act(self, request, obligation, reason):
        services.obligation_reject(actor=request.user, obligation=obligation, reason=reason)


class ObligationWaiveView(_ObligationAction):
    needs_reason = True
    success = _("The obligation was waived.")

    def act(self, request, obligation, reason):
        services.obligation_waive(actor=request.user, obligation=obligation, reason=reason)


class ObligationRemoveView(_ObligationAction):
    success = _("The obligation was removed.")

    def act(self, request, obligation, reason):
        services.obligation_remove(actor=request.user, obligation=obligation)


class EvidenceView(LoginRequiredMixin, View):
    def get(self, request, pk):
        report = selectors.report_for(request.user, pk)
        if report is None or not report.evidence_file:
            raise Http404
        response = FileResponse(
            report.evidence_file.open("rb"),
            as_attachment=True,
            filename=report.evidence_name or f"evidence-{report.pk}",
            content_type=report.evidence_content_type or "application/octet-stream",
        )
        return response


def _fund_filters(request):
    form = FundFilterForm(request.GET or None, source_types=selectors.fund_source_types())
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.fund_transactions(
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        kind=filters.get("kind", ""),
        source_type=filters.get("source_type", ""),
        currency=filters.get("currency", ""),
        agreement_id=filters["agreement"].pk if filters.get("agreement") else None,
    )
    return form, qs


def _ledger_rows(transactions) -> list[SafeString]:
    """The ledger page's table rows, written once here (date in the current time zone and
    language, kind, amount as money, source in words; labels translated and the address
    reversed once per page), each value escaped as the template would: the template only
    places them."""
    from solidarity.listing import date_formatter, interpolate, labels, pk_url

    from .models import SOURCE_LABELS, TransactionKind
    from .money import format_money

    esc = conditional_escape
    system = _("system")
    corrects = _("corrects FT-%(n)s")
    kinds = labels(TransactionKind.choices)
    sources = labels(SOURCE_LABELS.items())
    url = pk_url("benefits:agreement-detail")
    moment = date_formatter("DATETIME_FORMAT")
    rows = []
    for tx in transactions:
        reason = esc(tx.reason)
        if tx.corrects_id:
            reason += f' <span class="tag">{esc(interpolate(corrects, n=tx.corrects_id))}</span>'
        source = ""
        if tx.agreement_id:
            source = f'<a href="{url(tx.agreement_id)}">BSA-{int(tx.agreement_id)}</a> '
        source += esc(sources.get(tx.source_type, tx.source_type))
        if tx.community:
            source += f" ({esc(tx.community)})"
        rows.append(
            mark_safe(  # noqa: S308 -- every value below is escaped
                f'\n    <tr><th scope="row">FT-{int(tx.pk)}</th><td>{esc(moment(tx.created_at))}'
                f"</td><td>{esc(kinds.get(tx.kind, tx.kind))}</td>\n"
                f"    <td>{esc(format_money(tx.amount_minor, tx.currency))}</td>\n"
                f"    <td>{reason}</td>\n"
                f"    <td>{source}</td>\n"
                f"    <td>{esc(tx.created_by or system)}</td></tr>\n  "
            )
        )
    return rows


def _with_agreement_urls(rows: list[dict]) -> list[dict]:
    """Each per-agreement total with its agreement's address (reversed once per page)."""
    from solidarity.listing import pk_url

    url = pk_url("benefits:agreement-detail")
    for row in rows:
        row["url"] = url(row["agreement_id"])
    return rows


class FundView(LoginRequiredMixin, View):
    def get(self, request):
        if not can_view_fund(request.user):
            raise PermissionDenied
        form, qs = _fund_filters(request)
        # The page shows who recorded each entry, not the agreement's project or the entry
        # it corrects (only their numbers); the export keeps them.
        page = paginate(request, qs.select_related(None).select_related("created_by"), 50)
        filters = sorted((k, v) for k, v in request.GET.lists() if k != "page")
        summary = selectors.fund_page_summary(qs, filters=repr(filters))
        return render(
            request,
            "benefits/fund.html",
            {
                "form": form,
                "page": page,
                "rows": _ledger_rows(page.object_list),
                "positions": summary["positions"],
                "reservations": selectors.fund_open_reservations()[:100],
                "by_agreement": _with_agreement_urls(
                    selectors.fund_totals_by_agreement(
                        qs, agreement_ids={t.agreement_id for t in page.object_list}
                    )
                ),
                "by_community": summary["by_community"],
                "can_adjust": can_adjust_fund(request.user),
                "query": request.GET.urlencode(),
            },
        )


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """Text cells that a spreadsheet would run as a formula are quoted."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class FundCsvView(LoginRequiredMixin, View):
    def get(self, request):
        if not can_view_fund(request.user):
            raise PermissionDenied
        _form, qs = _fund_filters(request)
        writer = csv.writer(_Echo())
        header = [
            "entry",
            "recorded_at",
            "kind",
            "amount",
            "currency",
            "amount_minor",
            "reason",
            "source_type",
            "source_id",
            "agreement",
            "application",
            "community",
            "corrects",
            "recorded_by",
        ]

        def rows():
            yield writer.writerow(header)
            for tx in qs.iterator(chunk_size=500):
                yield writer.writerow(
                    [
                        f"FT-{tx.pk}",
                        tx.created_at.isoformat(),
                        tx.kind,
                        to_decimal_string(tx.amount_minor, tx.currency),
                        tx.currency,
                        tx.amount_minor,
                        _cell(tx.reason),
                        _cell(tx.source_type),
                        _cell(tx.source_id),
                        tx.agreement_id or "",
                        _cell(tx.agreement.application.reference if tx.agreement else ""),
                        _cell(tx.community),
                        f"FT-{tx.corrects_id}" if tx.corrects_id else "",
                        _cell(tx.created_by.get_username() if tx.created_by else "system"),
                    ]
                )

        stamp = timezone.localdate().isoformat()
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="solidarity-fund-{stamp}.csv"'
        return response


class FundAdjustView(LoginRequiredMixin, View):
    def _check(self, request):
        if not can_adjust_fund(request.user):
            raise PermissionDenied

    def get(self, request):
        self._check(request)
        initial = {"corrects": request.GET.get("corrects")} if request.GET.get("corrects") else {}
        return render(
            request, "benefits/fund_adjust.html", {"form": FundAdjustForm(initial=initial)}
        )

    def post(self, request):
        self._check(request)
        form = FundAdjustForm(request.POST)
        if form.is_valid():
            try:
                services.fund_adjust(
                    actor=request.user,
                    corrects=form.cleaned_data["entry"],
                    amount_minor=form.cleaned_data["amount_minor"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The correction was recorded in the ledger."))
                return redirect("benefits:fund")
        return render(request, "benefits/fund_adjust.html", {"form": form})
