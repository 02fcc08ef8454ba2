"""The REST API: applications with their transitions, and custodians' dataset decisions.

Thin: input serializers validate, the same services as the HTML views change state, output
serializers render; domain errors become HTTP in ``solidarity.api.exception_handler``.
"""

import datetime

import django_filters
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from solidarity.api import RowSerializer
from solidarity.catalog.models import AccessMode, Dataset, Organisation
from solidarity.search import rank_first
from solidarity.uploads import MEDIA_TYPES as UPLOAD_MEDIA_TYPES

from . import hdruk, rules, selectors, services
from . import permissions as perms
from .activation import missing_for_activation
from .models import (
    CONTENT_FIELDS,
    AcknowledgingParty,
    Application,
    ApplicationState,
    Attachment,
    Beneficiary,
    ConsentAcknowledgement,
    DatasetRequest,
)
from .versioning import diff

S = ApplicationState


# ---- output -----------------------------------------------------------------------------


class ApplicationTeamMember(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=200)
    organisation = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class DatasetRequestOutput(RowSerializer):
    dataset_title = serializers.CharField(source="dataset.title", read_only=True)
    custodian = serializers.CharField(source="dataset.custodian.name", read_only=True)
    # A draft has no reference yet.
    application_reference = serializers.CharField(
        source="application.reference", read_only=True, allow_null=True
    )

    class Meta:
        model = DatasetRequest
        fields = [
            "id",
            "application",
            "application_reference",
            "dataset",
            "dataset_title",
            "custodian",
            "access_mode",
            "justification",
            "variables",
            "state",
            "decided_at",
            "decision_reason",
            "decision_conditions",
        ]
        read_only_fields = fields


class AttachmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class ConsentAcknowledgementOutput(serializers.ModelSerializer):
    acknowledged_by = serializers.CharField(source="acknowledged_by.username")

    class Meta:
        model = ConsentAcknowledgement
        fields = ["party", "reason", "acknowledged_by", "acknowledged_at"]
        read_only_fields = fields


class ConsentConflictOutput(serializers.Serializer):
    dataset = serializers.IntegerField(source="dataset.pk")
    dataset_title = serializers.CharField(source="dataset.title")
    term = serializers.CharField()
    term_label = serializers.CharField()
    message = serializers.CharField()
    acknowledgements = ConsentAcknowledgementOutput(many=True)


class ConsentAcknowledgementInput(serializers.Serializer):
    dataset = serializers.IntegerField()
    term = serializers.CharField(max_length=30)
    party = serializers.ChoiceField(choices=AcknowledgingParty.choices)
    reason = serializers.CharField()


class ApplicationListOutput(RowSerializer):
    applicant = serializers.CharField(source="applicant.username", read_only=True)
    organisation = serializers.CharField(source="organisation.name", default=None, read_only=True)
    datasets_total = serializers.IntegerField(read_only=True)
    datasets_pending = serializers.IntegerField(read_only=True)
    awaiting = serializers.SerializerMethodField()
    awaiting_from = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "title",
            "state",
            "applicant",
            "organisation",
            "current_version",
            "submitted_at",
            "updated_at",
            "access_expires_on",
            "datasets_total",
            "datasets_pending",
            "awaiting",
            "awaiting_from",
        ]
        read_only_fields = fields

    def _awaited(self, obj) -> tuple[str, str]:
        # Both columns read the same rulebook answer: worked out once per row.
        if getattr(obj, "_awaited", None) is None:
            obj._awaited = selectors.awaited(obj)
        return obj._awaited

    def get_awaiting(self, obj) -> str:
        return str(self._awaited(obj)[0])

    def get_awaiting_from(self, obj) -> str:
        return str(self._awaited(obj)[1])


# What a list row reads (ApplicationListOutput, and the rulebook's "awaiting": the state, the
# activation that marks an amendment, the dataset counts): not the long texts of the content
# nor the search vector.
_LIST_COLUMNS = (
    "id",
    "reference",
    "title",
    "state",
    "applicant__username",
    "organisation__name",
    "current_version",
    "submitted_at",
    "updated_at",
    "access_expires_on",
    "activated_at",
)


class ApplicationDetailOutput(serializers.ModelSerializer):
    applicant = serializers.CharField(source="applicant.username", read_only=True)
    organisation = serializers.CharField(source="organisation.name", default=None, read_only=True)
    team = ApplicationTeamMember(many=True, read_only=True)
    dataset_requests = DatasetRequestOutput(many=True, read_only=True)
    attachments = AttachmentOutput(many=True, read_only=True)
    versions = serializers.SerializerMethodField()
    consent_conflicts = serializers.SerializerMethodField()
    missing_for_activation = serializers.SerializerMethodField()
    missing_for_submission = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    amendment_under_review = serializers.SerializerMethodField()
    # Declared so that the schema admits "" (not stated) beside each choice; a read-only model
    # field would be documented as the bare enum.
    legal_basis_art6 = serializers.ChoiceField(
        choices=hdruk.LegalBasisArt6.choices, allow_blank=True, read_only=True
    )
    legal_basis_art9 = serializers.ChoiceField(
        choices=hdruk.LegalBasisArt9.choices, allow_blank=True, read_only=True
    )
    confidentiality_basis = serializers.ChoiceField(
        choices=hdruk.ConfidentialityBasis.choices, allow_blank=True, read_only=True
    )
    national_opt_out = serializers.ChoiceField(
        choices=hdruk.OptOut.choices, allow_blank=True, read_only=True
    )
    accredited_researcher = serializers.ChoiceField(
        choices=hdruk.AccreditedStatus.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "state",
            "state_reason",
            "amendment_under_review",
            "actions",
            "applicant",
            "organisation",
            "copied_from",
            *CONTENT_FIELDS,
            "access_expires_on",
            "current_version",
            "submitted_at",
            "decided_at",
            "activated_at",
            "closed_at",
            "final_report",
            "created_at",
            "updated_at",
            "team",
            "dataset_requests",
            "attachments",
            "versions",
            "consent_conflicts",
            "missing_for_activation",
            "missing_for_submission",
        ]
        read_only_fields = fields

    def get_versions(self, obj) -> list[int]:
        return sorted(v.number for v in obj.versions.all())

    @extend_schema_field(ConsentConflictOutput(many=True))
    def get_consent_conflicts(self, obj):
        return ConsentConflictOutput(
            selectors.consent_conflicts_with_acknowledgements(obj), many=True
        ).data

    def get_missing_for_activation(self, obj) -> list[str]:
        return [str(m) for m in missing_for_activation(obj)] if obj.state == S.APPROVED else []

    def get_actions(self, obj) -> list[str]:
        """The rulebook's moves the requesting user may make now (each a POST action here)."""
        user = self.context["request"].user
        return [t.name for t in rules.APPLICATION.available(user, obj)]

    def get_amendment_under_review(self, obj) -> bool:
        return rules.under_amendment(obj)

    def get_missing_for_submission(self, obj) -> list[dict]:
        user = self.context["request"].user
        if not perms.can_edit_application(user, obj):
            return []
        return [{"field": f, "message": m} for f, m in services.submission_problems(obj)]


# ---- input ------------------------------------------------------------------------------


class ApplicationInput(serializers.Serializer):
    """The content of a draft; every field is optional on update (a draft may be partial)."""

    title = serializers.CharField(max_length=250)
    lay_summary = serializers.CharField(required=False, allow_blank=True)
    scientific_summary = serializers.CharField(required=False, allow_blank=True)
    aims = serializers.CharField(required=False, allow_blank=True)
    methods = serializers.CharField(required=False, allow_blank=True)
    public_benefit = serializers.CharField(required=False, allow_blank=True)
    beneficiaries = serializers.ListField(
        child=serializers.ChoiceField(choices=Beneficiary.choices), required=False
    )
    funding = serializers.CharField(required=False, allow_blank=True)
    commercial_involvement = serializers.BooleanField(required=False)
    commercial_details = serializers.CharField(required=False, allow_blank=True)
    research_use = serializers.ChoiceField(
        choices=Application._meta.get_field("research_use").choices, required=False
    )
    research_disease = serializers.CharField(required=False, allow_blank=True, max_length=200)
    research_countries = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ethics_approval = serializers.BooleanField(required=False)
    will_publish = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    # The fields the sector expects (HDR UK Data Use Register); blank means "not stated".
    legal_basis_art6 = serializers.ChoiceField(
        choices=hdruk.LegalBasisArt6.choices, required=False, allow_blank=True
    )
    legal_basis_art9 = serializers.ChoiceField(
        choices=hdruk.LegalBasisArt9.choices, required=False, allow_blank=True
    )
    confidentiality_basis = serializers.ChoiceField(
        choices=hdruk.ConfidentialityBasis.choices, required=False, allow_blank=True
    )
    national_opt_out = serializers.ChoiceField(
        choices=hdruk.OptOut.choices, required=False, allow_blank=True
    )
    funders_sponsors = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    other_approval_committees = serializers.CharField(
        required=False, allow_blank=True, max_length=4000
    )
    dataset_linkage = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    research_outputs = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    accredited_researcher = serializers.ChoiceField(
        choices=hdruk.AccreditedStatus.choices, required=False, allow_blank=True
    )

    def validate(self, data):
        start = data.get("start_date", getattr(self.instance, "start_date", None))
        end = data.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": "The end must not come before the start."}
            )
        return data


class ApplicationMessageInput(serializers.Serializer):
    message = serializers.CharField()


class ApplicationReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class ApplicationFinalReportInput(serializers.Serializer):
    final_report = serializers.CharField()


class ApplicationAttachmentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices)
    file = serializers.FileField()


class DatasetRequestInput(serializers.Serializer):
    application = serializers.IntegerField()
    dataset = serializers.PrimaryKeyRelatedField(queryset=Dataset.objects.all())
    access_mode = serializers.ChoiceField(choices=AccessMode.choices, default=AccessMode.FEDERATED)
    variables = serializers.CharField(required=False, allow_blank=True, default="")
    justification = serializers.CharField(required=False, allow_blank=True, default="")


class DatasetRequestGrantInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    conditions = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationDiffChange(serializers.Serializer):
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()
    segments = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class ApplicationVersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username")
    content = serializers.JSONField()


# ---- filters ----------------------------------------------------------------------------


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices)
    dataset = django_filters.ModelChoiceFilter(
        queryset=Dataset.objects.all(), field_name="dataset_requests__dataset", distinct=True
    )
    custodian = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        field_name="dataset_requests__dataset__custodian",
        distinct=True,
    )
    older_than = django_filters.NumberFilter(
        method="filter_older_than",
        label="Submitted at least this many days ago",
        min_value=0,
        max_value=36500,
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label="Only my own applications")
    search = django_filters.CharFilter(
        method="filter_search",
        label="Words in the reference, title, summaries, organisation or datasets (best first)",
    )

    class Meta:
        model = Application
        fields = ["state", "dataset", "custodian"]

    def filter_search(self, queryset, name, value):
        return selectors.application_search(queryset, value)

    def filter_older_than(self, queryset, name, value):
        return queryset.filter(
            submitted_at__lte=timezone.now() - datetime.timedelta(days=int(value))
        )

    def filter_mine(self, queryset, name, value):
        return queryset.filter(applicant=self.request.user) if value else queryset


# ---- viewsets ---------------------------------------------------------------------------


_TEXT_INPUTS = {
    "message": ApplicationMessageInput,
    "reason": ApplicationReasonInput,
    "final_report": ApplicationFinalReportInput,
}


def _transition(transition):
    """A POST action that runs the rulebook move ``transition`` through its service."""
    service = services.TRANSITION_SERVICES[transition.name]
    serializer_class = _TEXT_INPUTS.get(transition.text)

    @extend_schema(
        request=serializer_class,
        responses={200: ApplicationDetailOutput, 201: ApplicationDetailOutput},
        description=(service.__doc__ or "").strip(),
    )
    def handler(self, request, pk=None):
        application = self.get_object()
        kwargs = {}
        if serializer_class is not None:
            data = serializer_class(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs[transition.text] = data.validated_data[transition.text]
        result = service(actor=request.user, application=application, **kwargs)
        if isinstance(result, Application) and result.pk != application.pk:
            return Response(
                self._detail(result.pk), status=status.HTTP_201_CREATED
            )  # a copy is a new application
        return Response(self._detail(application.pk))

    handler.__name__ = transition.name.replace("-", "_")
    url_path = transition.name if "-" in transition.name else None
    return action(detail=True, methods=["post"], url_path=url_path)(handler)


@extend_schema_view(
    list=extend_schema(responses=ApplicationListOutput(many=True)),
    retrieve=extend_schema(responses=ApplicationDetailOutput),
    create=extend_schema(request=ApplicationInput, responses={201: ApplicationDetailOutput}),
    partial_update=extend_schema(request=ApplicationInput, responses=ApplicationDetailOutput),
    update=extend_schema(request=ApplicationInput, responses=ApplicationDetailOutput),
)
class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Data-access applications the user may see; drafts are created and edited here, and
    every move of the workflow is a POST action."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    permission_classes = [perms.CanUseApplications]
    filterset_class = ApplicationFilter
    ordering_fields = ["submitted_at", "reference", "title", "state", "updated_at"]
    ordering = ["-updated_at", "-id"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        if self.action == "list":
            qs = selectors.applications_listed_for(self.request.user)
            return selectors.with_list_data(qs).only(*_LIST_COLUMNS)
        return selectors.applications_visible_to(self.request.user)

    def filter_queryset(self, queryset):
        return rank_first(super().filter_queryset(queryset), self.request.query_params)

    def get_serializer_class(self):
        return ApplicationListOutput if self.action == "list" else ApplicationDetailOutput

    def _detail(self, pk):
        application = selectors.application_detail(self.request.user, pk)
        selectors.redact_other_custodians_decisions(
            self.request.user, application, application.dataset_requests.all()
        )
        return ApplicationDetailOutput(application, context={"request": self.request}).data

    def retrieve(self, request, pk=None):
        return Response(self._detail(pk))

    def create(self, request):
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_create(actor=request.user, **data.validated_data)
        return Response(self._detail(application.pk), status=status.HTTP_201_CREATED)

    def _update(self, request, pk, partial):
        application = self.get_object()
        data = ApplicationInput(application, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        services.application_update_draft(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(self._detail(application.pk))

    def update(self, request, pk=None):
        return self._update(request, pk, partial=False)

    def partial_update(self, request, pk=None):
        return self._update(request, pk, partial=True)

    @extend_schema(request=ConsentAcknowledgementInput, responses=ApplicationDetailOutput)
    @action(detail=True, methods=["post"], url_path="acknowledge-conflict")
    def acknowledge_conflict(self, request, pk=None):
        """Acknowledge a consent conflict with a reason: the chair for the committee (before
        approval), the dataset's custodian (before granting)."""
        application = self.get_object()
        data = ConsentAcknowledgementInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        dataset = get_object_or_404(
            Dataset.objects.filter(requests__application=application), pk=values.pop("dataset")
        )
        services.consent_conflict_acknowledge(
            actor=request.user, application=application, dataset=dataset, **values
        )
        return Response(self._detail(application.pk))

    # A short list, whole: no page, no filters (the schema says so too).
    @extend_schema(responses=ApplicationVersionOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        """The frozen versions of the application, oldest first."""
        application = self.get_object()
        return Response(
            ApplicationVersionOutput(selectors.versions_of(application), many=True).data
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("old", OpenApiTypes.INT, required=True),
            OpenApiParameter("new", OpenApiTypes.INT, required=True),
        ],
        responses=ApplicationDiffChange(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def diff(self, request, pk=None):
        """What changed between two versions, field by field, with word-level segments."""
        application = self.get_object()
        try:
            old_n, new_n = int(request.query_params["old"]), int(request.query_params["new"])
        except (KeyError, ValueError) as exc:
            raise serializers.ValidationError(
                {"old": ["Give two version numbers, old and new."]}
            ) from exc
        by_number = {v.number: v for v in selectors.versions_of(application)}
        if old_n not in by_number or new_n not in by_number:
            raise Http404
        changes = diff(by_number[old_n].content, by_number[new_n].content)
        return Response(ApplicationDiffChange(changes, many=True).data)

    @extend_schema(request=ApplicationTeamMember, responses={201: ApplicationTeamMember})
    @action(detail=True, methods=["post"])
    def team(self, request, pk=None):
        """Add a team member to an editable application."""
        application = self.get_object()
        data = ApplicationTeamMember(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.application_team_member_add(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(ApplicationTeamMember(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"team/(?P<member_id>\d+)")
    def remove_team_member(self, request, pk=None, member_id=None):
        """Remove a team member from an editable application."""
        application = self.get_object()
        member = get_object_or_404(application.team, pk=member_id)
        services.application_team_member_remove(actor=request.user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": ApplicationAttachmentInput},
        responses={201: AttachmentOutput},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """Upload a document (size and type checked by content; SHA-256 kept)."""
        application = self.get_object()
        data = ApplicationAttachmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.application_attachment_add(
            actor=request.user,
            application=application,
            kind=data.validated_data["kind"],
            uploaded_file=data.validated_data["file"],
        )
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={(200, media_type): OpenApiTypes.BINARY for media_type in UPLOAD_MEDIA_TYPES},
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["get", "delete"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        """Download an attachment (only for those who may see the application), or remove it."""
        application = self.get_object()
        attachment = get_object_or_404(application.attachments, pk=attachment_id)
        if request.method == "DELETE":
            services.application_attachment_remove(actor=request.user, attachment=attachment)
            return Response(status=status.HTTP_204_NO_CONTENT)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


# One POST action per offered move of the rulebook (``rules.APPLICATION``): submit, withdraw,
# accept, request-revision, reject (at screening), await-decision, amend, suspend, reinstate,
# revoke, close, copy. The committee's decision is served by the reviews app at ``decide/``.
for _move in rules.APPLICATION:
    if _move.name in services.TRANSITION_SERVICES:
        setattr(ApplicationViewSet, _move.name.replace("-", "_"), _transition(_move))


class DatasetRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=DatasetRequest.State.choices)

    class Meta:
        model = DatasetRequest
        fields = ["state", "application", "dataset"]


@extend_schema_view(
    create=extend_schema(request=DatasetRequestInput, responses={201: DatasetRequestOutput}),
)
class DatasetRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Requested datasets: the applicant adds and removes them on an editable application;
    the dataset's custodian grants or declines each (never another organisation's)."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    permission_classes = [perms.CanUseApplications]
    serializer_class = DatasetRequestOutput
    filterset_class = DatasetRequestFilter
    ordering_fields = ["id", "state"]

    def get_queryset(self):
        qs = selectors.dataset_requests_visible_to(self.request.user)
        if self.action == "list":
            # A row shows its request and three names: not the whole application, dataset
            # and decider.
            return (
                qs.select_related(None)
                .select_related("application", "dataset__custodian")
                .only(
                    *(f.name for f in DatasetRequest._meta.concrete_fields),
                    "application__reference",
                    "dataset__title",
                    "dataset__custodian__name",
                )
            )
        return qs

    def create(self, request):
        data = DatasetRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = selectors.application_detail(request.user, values.pop("application"))
        created = services.application_dataset_add(
            actor=request.user, application=application, **values
        )
        return Response(
            DatasetRequestOutput(selectors.dataset_request_detail(request.user, created.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance):
        services.application_dataset_remove(actor=self.request.user, dataset_request=instance)

    @extend_schema(request=DatasetRequestGrantInput, responses=DatasetRequestOutput)
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        """Grant access, with optional reasons and conditions (e.g. federated only)."""
        dataset_request = self.get_object()
        data = DatasetRequestGrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.dataset_request_grant(
            actor=request.user, dataset_request=dataset_request, **data.validated_data
        )
        return Response(
            DatasetRequestOutput(selectors.dataset_request_detail(request.user, pk)).data
        )

    @extend_schema(request=ApplicationReasonInput, responses=DatasetRequestOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline access, with reasons."""
        dataset_request = self.get_object()
        data = ApplicationReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.dataset_request_decline(
            actor=request.user,
            dataset_request=dataset_request,
            reason=data.validated_data["reason"],
        )
        return Response(
            DatasetRequestOutput(selectors.dataset_request_detail(request.user, pk)).data
        )


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    from . import collaboration_api

    collaboration_api.register(router)
    router.register("applications", ApplicationViewSet, basename="application")
    router.register("dataset-requests", DatasetRequestViewSet, basename="dataset-request")
