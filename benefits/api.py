"""REST API: /api/v1/benefit-agreements/, /api/v1/obligations/, /api/v1/fund/transactions/.

Reads go through the selectors (only what the user may see); every change goes through a
service, so the API and the HTML pages obey the same rules. Domain errors become HTTP in the
shared exception handler.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from solidarity.api import RowSerializer, int_param
from solidarity.validators import sane_date

from . import selectors, services
from .models import (
    AgreementKind,
    AgreementState,
    BeneficiaryKind,
    BenefitAgreement,
    FundTransaction,
    Obligation,
    ObligationKind,
    ObligationState,
    Recurrence,
    TransactionKind,
)
from .money import CURRENCY_EXPONENTS, parse_amount, parse_percent, to_decimal_string
from .permissions import CanViewFund
from .rules import AGREEMENT, OBLIGATION


def _minor(value, currency, field, **kwargs):
    try:
        return parse_amount(value, currency, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({field: exc.messages}) from None


# --- output serializers ----------------------------------------------------------------------


class SignatureOutput(serializers.Serializer):
    side = serializers.CharField()
    version = serializers.IntegerField()
    signer = serializers.CharField(source="signer.username")
    signed_at = serializers.DateTimeField()
    terms_sha256 = serializers.CharField()


class ObligationOutput(RowSerializer):
    agreement = serializers.IntegerField(source="agreement_id")
    amount = serializers.SerializerMethodField()
    shortfall = serializers.SerializerMethodField()

    class Meta:
        model = Obligation
        fields = [
            "id",
            "agreement",
            "kind",
            "description",
            "beneficiary",
            "community",
            "share_basis_points",
            "amount_minor",
            "amount",
            "currency",
            "recurrence",
            "due_date",
            "ends_on",
            "evidence_expected",
            "state",
            "state_reason",
            "periods_verified",
            "overdue_since",
            "shortfall_minor",
            "shortfall",
        ]

    def get_amount(self, obj) -> str | None:
        if obj.amount_minor is None:
            return None
        return to_decimal_string(obj.amount_minor, obj.currency)

    def get_shortfall(self, obj) -> str:
        """What a short payment left open on the current period, as a decimal string."""
        return to_decimal_string(obj.shortfall_minor, obj.currency)


class _Rulebook:
    """The moves the requesting user may make now, and what the object awaits (from whom),
    read from the rulebook (``benefits/rules.py``), as the HTML page does."""

    machine = None

    def get_actions(self, obj) -> list[str]:
        user = self.context["request"].user
        return [t.name for t in self.machine.available(user, obj)]

    def get_awaiting(self, obj) -> str:
        return self.machine.awaited(obj)[0]

    def get_awaiting_from(self, obj) -> str:
        return self.machine.awaited(obj)[1]


class ObligationDetailOutput(_Rulebook, ObligationOutput):
    machine = OBLIGATION
    actions = serializers.SerializerMethodField()
    awaiting = serializers.SerializerMethodField()
    awaiting_from = serializers.SerializerMethodField()

    class Meta(ObligationOutput.Meta):
        fields = [*ObligationOutput.Meta.fields, "actions", "awaiting", "awaiting_from"]


class AgreementOutput(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id")
    application_reference = serializers.CharField(source="application.reference", default=None)
    obligations = ObligationOutput(many=True, read_only=True)
    signatures = serializers.SerializerMethodField()

    class Meta:
        model = BenefitAgreement
        fields = [
            "id",
            "application",
            "application_reference",
            "kind",
            "state",
            "state_reason",
            "terms",
            "terms_version",
            "grace_days",
            "proposed_at",
            "signed_at",
            "in_force_at",
            "created_at",
            "obligations",
            "signatures",
        ]

    def get_signatures(self, obj) -> list[dict]:
        return _current_signatures(obj)


def _signatures_of_terms(obj) -> list:
    """The signatures of the agreement's current version of the terms."""
    return [s for s in obj.signatures.all() if s.version == obj.terms_version]


def _current_signatures(obj) -> list[dict]:
    return SignatureOutput(_signatures_of_terms(obj), many=True).data


class AgreementSummaryOutput(RowSerializer):
    """One agreement in the list: its state and counts, without the terms or the obligations.

    The terms (several kilobytes each) and the obligations are in the detail (``url``); the
    obligations also at ``/api/v1/obligations/?agreement=<id>``.
    """

    url = serializers.HyperlinkedIdentityField(view_name="benefit-agreement-detail")
    application = serializers.IntegerField(source="application_id")
    application_reference = serializers.CharField(source="application.reference", default=None)
    obligation_count = serializers.IntegerField(
        read_only=True, help_text=_("Obligations of the agreement.")
    )
    open_obligation_count = serializers.IntegerField(
        source="open_count", read_only=True, help_text=_("Obligations pending or overdue.")
    )
    overdue_obligation_count = serializers.IntegerField(
        source="overdue_count", read_only=True, help_text=_("Obligations overdue.")
    )
    signatures = serializers.SerializerMethodField()

    class Meta:
        model = BenefitAgreement
        fields = [
            "id",
            "url",
            "application",
            "application_reference",
            "kind",
            "state",
            "state_reason",
            "terms_version",
            "grace_days",
            "proposed_at",
            "signed_at",
            "in_force_at",
            "created_at",
            "obligation_count",
            "open_obligation_count",
            "overdue_obligation_count",
            "signatures",
        ]

    def get_signatures(self, obj) -> list[dict]:
        # One signature serializer for every row of the list, not one built per row.
        if getattr(self, "_signature_output", None) is None:
            self._signature_output = SignatureOutput(many=True)
        return self._signature_output.to_representation(_signatures_of_terms(obj))


# What the list reads of each agreement (no terms, no wide application columns).
_SUMMARY_COLUMNS = (
    "id",
    "application_id",
    "kind",
    "state",
    "state_reason",
    "terms_version",
    "grace_days",
    "proposed_at",
    "signed_at",
    "in_force_at",
    "created_at",
)


class AgreementDetailOutput(_Rulebook, AgreementOutput):
    machine = AGREEMENT
    obligations = ObligationDetailOutput(many=True, read_only=True)
    actions = serializers.SerializerMethodField()
    awaiting = serializers.SerializerMethodField()
    awaiting_from = serializers.SerializerMethodField()

    class Meta(AgreementOutput.Meta):
        fields = [*AgreementOutput.Meta.fields, "actions", "awaiting", "awaiting_from"]


class FundTransactionOutput(RowSerializer):
    amount = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = FundTransaction
        fields = [
            "id",
            "created_at",
            "kind",
            "amount_minor",
            "amount",
            "currency",
            "reason",
            "source_type",
            "source_id",
            "agreement",
            "community",
            "corrects",
            "recorded_by",
        ]

    def get_amount(self, obj) -> str:
        return to_decimal_string(obj.amount_minor, obj.currency)


# --- input serializers -----------------------------------------------------------------------


class AgreementDraftInput(serializers.Serializer):
    application = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AgreementKind.choices)
    terms = serializers.CharField(required=False, allow_blank=True, default="")
    grace_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    from_template = serializers.BooleanField(required=False, default=True)


class SignInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version of the terms the signer read.")
    )


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class ObligationInput(serializers.Serializer):
    agreement = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ObligationKind.choices)
    description = serializers.CharField()
    beneficiary = serializers.ChoiceField(choices=BeneficiaryKind.choices)
    community = serializers.CharField(required=False, allow_blank=True, default="")
    share_percent = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.CharField(required=False, allow_blank=True, default="")
    currency = serializers.ChoiceField(
        choices=sorted(CURRENCY_EXPONENTS), required=False, default="EUR"
    )
    recurrence = serializers.ChoiceField(
        choices=Recurrence.choices, required=False, default=Recurrence.ONCE
    )
    due_date = serializers.DateField(validators=[sane_date])
    ends_on = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[sane_date]
    )
    evidence_expected = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, data):
        data["share_basis_points"] = None
        data["amount_minor"] = None
        if data.get("share_percent"):
            try:
                data["share_basis_points"] = parse_percent(data["share_percent"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"share_percent": exc.messages}) from None
        if data.get("amount"):
            data["amount_minor"] = _minor(data["amount"], data["currency"], "amount")
        return data


class ReportInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Decimal, e.g. 12.50")
    )
    revenue = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_link = serializers.URLField(required=False, allow_blank=True, default="")
    evidence_file = serializers.FileField(required=False, allow_null=True, default=None)


# --- viewsets --------------------------------------------------------------------------------


class BenefitAgreementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Benefit agreements the user may see; drafted and moved on through their actions."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = AgreementOutput
    filter_backends: list = []

    def get_serializer_class(self):
        return AgreementSummaryOutput if self.action == "list" else AgreementDetailOutput

    def get_queryset(self):
        state = self.request.query_params.get("state", "")
        qs = selectors.agreements_visible_to(
            self.request.user,
            state=state if state in AgreementState.values else "",
            search=self.request.query_params.get("search", "")[:100],
        )
        if self.action == "list":
            # The list leaves out the wide terms column and the obligations (detail only).
            return (
                qs.select_related(None)
                .select_related("application")
                .only(*_SUMMARY_COLUMNS, "application__reference")
                .prefetch_related("signatures__signer")
            )
        return qs.prefetch_related("obligations", "signatures__signer")

    def retrieve(self, request, pk=None):
        return self._out(self._agreement(pk))

    def _agreement(self, pk) -> BenefitAgreement:
        agreement = selectors.agreements_visible_to(self.request.user).filter(pk=pk).first()
        if agreement is None:
            raise Http404
        return agreement

    def _out(self, agreement, code=status.HTTP_200_OK):
        fresh = selectors.agreement_detail(self.request.user, agreement.pk)
        if fresh is None:
            raise Http404
        return Response(
            AgreementDetailOutput(fresh, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=AgreementDraftInput, responses=AgreementDetailOutput)
    def create(self, request):
        data = AgreementDraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        from applications.models import Application

        application = Application.objects.filter(pk=data.validated_data["application"]).first()
        if application is None:
            raise serializers.ValidationError({"application": [_("No such application.")]})
        agreement = services.agreement_draft(
            actor=request.user,
            application=application,
            kind=data.validated_data["kind"],
            terms=data.validated_data["terms"],
            grace_days=data.validated_data.get("grace_days"),
            from_template=data.validated_data["from_template"],
        )
        return self._out(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AgreementDetailOutput)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        agreement = services.agreement_propose(actor=request.user, agreement=self._agreement(pk))
        return self._out(agreement)

    @extend_schema(request=SignInput, responses=AgreementDetailOutput)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        data = SignInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = self._agreement(pk)
        services.agreement_sign(
            actor=request.user, agreement=agreement, version=data.validated_data["version"]
        )
        return self._out(agreement)

    @extend_schema(request=ReasonInput, responses=AgreementDetailOutput)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Take a proposed, signed or in-force agreement back to draft to change it."""
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = services.agreement_reopen(
            actor=request.user,
            agreement=self._agreement(pk),
            reason=data.validated_data["reason"],
        )
        return self._out(agreement)

    @extend_schema(request=ReasonInput, responses=AgreementDetailOutput)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = services.agreement_terminate(
            actor=request.user,
            agreement=self._agreement(pk),
            reason=data.validated_data["reason"],
        )
        return self._out(agreement)

    @extend_schema(request=ReasonInput, responses=AgreementDetailOutput)
    @action(detail=True, methods=["post"], url_path="suspend-project")
    def suspend_project(self, request, pk=None):
        """The chair suspends the project of an agreement in breach."""
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = services.agreement_suspend_project(
            actor=request.user,
            agreement=self._agreement(pk),
            reason=data.validated_data["reason"],
        )
        return self._out(agreement)


class ObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Obligations of the agreements the user may see; reported on and reviewed by action."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = ObligationOutput
    filter_backends: list = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        state = self.request.query_params.get("state", "")
        qs = selectors.obligations_visible_to(
            self.request.user, state=state if state in ObligationState.values else ""
        )
        agreement = int_param(self.request.query_params.get("agreement"))
        if agreement is not None:
            qs = qs.filter(agreement_id=agreement)
        if self.action == "list":
            # A row names its agreement by id: the agreement and its project are not read.
            return qs.select_related(None)
        return qs

    def _obligation(self, pk) -> Obligation:
        obligation = selectors.obligation_for(self.request.user, pk)
        if obligation is None:
            raise Http404
        return obligation

    def get_serializer_class(self):
        return ObligationDetailOutput if self.action != "list" else ObligationOutput

    def retrieve(self, request, pk=None):
        return self._out(self._obligation(pk))

    def _out(self, obligation, code=status.HTTP_200_OK):
        fresh = self._obligation(obligation.pk)
        return Response(
            ObligationDetailOutput(fresh, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=ObligationInput, responses=ObligationDetailOutput)
    def create(self, request):
        data = ObligationInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        agreement = (
            selectors.agreements_visible_to(request.user).filter(pk=fields.pop("agreement")).first()
        )
        if agreement is None:
            raise Http404
        fields.pop("share_percent")
        fields.pop("amount")
        obligation = services.obligation_add(actor=request.user, agreement=agreement, **fields)
        return self._out(obligation, status.HTTP_201_CREATED)

    @extend_schema(request=ReportInput, responses=ObligationDetailOutput)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        obligation = self._obligation(pk)
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.obligation_report(
            actor=request.user,
            obligation=obligation,
            text=values["text"],
            amount_minor=_minor(values["amount"], obligation.currency, "amount", allow_zero=True)
            if values["amount"]
            else None,
            revenue_minor=_minor(values["revenue"], obligation.currency, "revenue", allow_zero=True)
            if values["revenue"]
            else None,
            currency=obligation.currency,
            evidence_link=values["evidence_link"],
            evidence_file=values["evidence_file"],
        )
        return self._out(obligation)

    @extend_schema(request=None, responses=ObligationDetailOutput)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        obligation = services.obligation_verify(actor=request.user, obligation=self._obligation(pk))
        return self._out(obligation)

    @extend_schema(request=ReasonInput, responses=ObligationDetailOutput)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        obligation = services.obligation_reject(
            actor=request.user,
            obligation=self._obligation(pk),
            reason=data.validated_data["reason"],
        )
        return self._out(obligation)

    @extend_schema(request=ReasonInput, responses=ObligationDetailOutput)
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        obligation = services.obligation_waive(
            actor=request.user,
            obligation=self._obligation(pk),
            reason=data.validated_data["reason"],
        )
        return self._out(obligation)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Remove an obligation from a draft agreement (one with reports is waived instead)."""
        services.obligation_remove(actor=request.user, obligation=self._obligation(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# The balances answer: currency code -> the fund's position in that currency.
_POSITION_FIELDS = ("amount", "reserved", "available")
FUND_BALANCES_SCHEMA = {
    "type": "object",
    "description": "Per currency code (ISO 4217): balance, reserved and available money.",
    "additionalProperties": {
        "type": "object",
        "required": [*_POSITION_FIELDS, *(f"{name}_minor" for name in _POSITION_FIELDS)],
        "properties": {
            **{name: {"type": "string", "format": "decimal"} for name in _POSITION_FIELDS},
            **{f"{name}_minor": {"type": "integer"} for name in _POSITION_FIELDS},
        },
    },
}


class FundTransactionViewSet(viewsets.ReadOnlyModelViewSet):
    """The solidarity-fund ledger, read-only, for benefit officers and auditors.

    Filters: ``date_from``, ``date_to`` (YYYY-MM-DD, inclusive), ``kind``, ``source_type``,
    ``currency``, ``agreement``. Money enters and leaves only through the services.
    """

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = FundTransactionOutput
    permission_classes = [CanViewFund]
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        dates = {}
        for name in ("date_from", "date_to"):
            if params.get(name):
                field = serializers.DateField()
                try:
                    dates[name] = field.to_internal_value(params[name])
                except serializers.ValidationError as exc:
                    raise serializers.ValidationError({name: exc.detail}) from None
        kind = params.get("kind", "")
        agreement = params.get("agreement", "")
        return selectors.fund_transactions(
            kind=kind if kind in TransactionKind.values else "",
            source_type=params.get("source_type", "")[:50],
            currency=params.get("currency", "")[:3],
            agreement_id=int_param(agreement),
            **dates,
        )

    @extend_schema(responses={200: FUND_BALANCES_SCHEMA})
    @action(detail=False, methods=["get"])
    def balances(self, request):
        """Per currency: the balance (``amount``), the money reserved for offers already made
        and what is available (balance - reserved), in minor units and as decimal strings."""
        return Response(
            {
                currency: {
                    "amount_minor": p["balance"],
                    "amount": to_decimal_string(p["balance"], currency),
                    "reserved_minor": p["reserved"],
                    "reserved": to_decimal_string(p["reserved"], currency),
                    "available_minor": p["available"],
                    "available": to_decimal_string(p["available"], currency),
                }
                for currency, p in selectors.fund_positions().items()
            }
        )


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("benefit-agreements", BenefitAgreementViewSet, basename="benefit-agreement")
    router.register("obligations", ObligationViewSet, basename="obligation")
    router.register("fund/transactions", FundTransactionViewSet, basename="fund-transaction")
