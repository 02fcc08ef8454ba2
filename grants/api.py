"""The node API: grants (incremental), passports (visas), runs; and the JWKS."""

from django.http import JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from solidarity.api import int_param
from solidarity.errors import DomainError

from . import selectors, services, visas
from .auth import NodeAuthentication
from .models import RunStatus
from .permissions import IsNode, node_of
from .serializers import (
    GrantSerializer,
    PassportSerializer,
    RunInputSerializer,
    RunRefusedSerializer,
    RunSerializer,
)

NODE_OR_PERSON = [NodeAuthentication, SessionAuthentication, TokenAuthentication]


class GrantSyncPagination(CursorPagination):
    """Keyset pages in the order of change, so a node can follow ``next`` to the end and
    keep the last ``updated_at`` for its next ``changed_since``."""

    ordering = ("updated_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


def _bad(field: str, message: str):
    raise DomainError(message, field_errors={field: [message]})


@extend_schema(tags=["nodes"])
class GrantViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Grants: a node sees its organisation's current and ended grants; a person their own,
    their organisations' (custodians) or all (oversight)."""

    serializer_class = GrantSerializer
    authentication_classes = NODE_OR_PERSON
    permission_classes = [IsAuthenticated]
    pagination_class = GrantSyncPagination
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        dataset_id = None
        if params.get("dataset"):
            dataset_id = int_param(params["dataset"])
            if dataset_id is None:
                _bad("dataset", _("Give a dataset id."))
        changed_since = None
        if params.get("changed_since"):
            changed_since = parse_datetime(params["changed_since"].replace(" ", "+"))
            if changed_since is None or changed_since.tzinfo is None:
                _bad("changed_since", _("Give an ISO 8601 date and time with its offset."))
        current = {"true": True, "false": False, "": None}.get(params.get("current", ""), "bad")
        if current == "bad":
            _bad("current", _("Use true or false."))
        qs = selectors.grants_visible_to(self.request.user, node=node_of(self.request))
        return selectors.grants_filtered(
            qs,
            dataset_id=dataset_id,
            username=params.get("user", "")[:150],
            changed_since=changed_since,
            current=current,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("dataset", int, description="Only grants on this dataset id."),
            OpenApiParameter("user", str, description="Only grants held by this username."),
            OpenApiParameter(
                "changed_since",
                OpenApiTypes.DATETIME,
                description="Only grants added, ended or resumed after this moment.",
            ),
            OpenApiParameter("current", bool, description="true: current only; false: ended."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["nodes"])
class PermissionsView(APIView):
    """A user's GA4GH Passport visas (REMS-compatible shape), for the user themself or for a
    node, which receives only the visas on its own organisation's datasets."""

    authentication_classes = NODE_OR_PERSON
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PassportSerializer)
    def get(self, request, user: str):
        node = node_of(request)
        if node is None and request.user.get_username() != user:
            return Response(
                {"error": {"code": "not_found", "message": "Not found.", "fields": {}}},
                status=status.HTTP_404_NOT_FOUND,
            )
        tokens = selectors.passport_for(user, viewer=request.user, node=node)
        return Response({"ga4gh_passport_v1": tokens})


@extend_schema(tags=["nodes"])
class RunViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Runs: a node reports each analysis run against a grant of its organisation and lists
    its own; people see the runs of the projects they may see."""

    authentication_classes = NODE_OR_PERSON
    serializer_class = RunSerializer
    filter_backends: list = []

    def get_permissions(self):
        if self.action == "create":
            return [IsNode()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.runs_visible_to(self.request.user, node=node_of(self.request))

    @extend_schema(
        request=RunInputSerializer,
        responses={201: RunSerializer, 409: RunRefusedSerializer},
        description=(
            "Report a run. A run under an ended grant is recorded as refused and answered "
            "with 409 and the recorded run."
        ),
    )
    def create(self, request, *args, **kwargs):
        data = RunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = services.run_report(
            node=node_of(request),
            grant_id=values["grant"],
            ran_at=values["ran_at"],
            verdict=values["verdict"],
            script_sha256=values["script_sha256"],
            job_reference=values["job_reference"],
            outputs=[dict(o) for o in values["outputs"]],
        )
        run = selectors.runs_visible_to(request.user, node=node_of(request)).get(pk=run.pk)
        body = RunSerializer(run).data
        if run.status == RunStatus.REFUSED:
            return Response(
                {
                    "error": {
                        "code": "grant_ended",
                        "message": run.refusal_reason,
                        "fields": {"grant": [run.refusal_reason]},
                    },
                    "run": body,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(body, status=status.HTTP_201_CREATED)


def jwks(request):
    """The public keys that sign visas, old ones included until their last visa expires."""
    visas.current_key()  # nodes may fetch the keys before the first visa is issued
    response = JsonResponse(visas.jwks())
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def register(router) -> None:
    router.register("grants", GrantViewSet, basename="grant")
    router.register("runs", RunViewSet, basename="run")
