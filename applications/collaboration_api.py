"""The API of co-applicants and the conversation, under /api/v1/applications/<id>/.

``messages/``: the conversation as the user may read it (GET, paginated) and a new message
(POST, JSON or multipart with ``files``). ``members/``: the team (GET), an invitation (POST),
and ``members/<id>/``: its role changed (PATCH), revoked or removed (DELETE). The same
services and permissions as the HTML pages.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from solidarity.api import Pagination
from solidarity.errors import PermissionDenied

from . import collaboration, selectors, services
from . import permissions as perms
from .conversation import Message, MessageAttachment, Visibility
from .services.conversation import MAX_BODY
from .team import ApplicationMember, MemberRole, MemberState


class MessageAttachmentOutput(serializers.ModelSerializer):
    class Meta:
        model = MessageAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256"]


class MessageOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    attachments = MessageAttachmentOutput(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "author",
            "visibility",
            "kind",
            "body",
            "reply_to",
            "version",
            "created_at",
            "attachments",
        ]


class MessageInput(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_BODY)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)
    answer = serializers.BooleanField(
        default=False, help_text="The team's answer to the pending revision request."
    )
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class MemberOutput(serializers.ModelSerializer):
    user = serializers.CharField(
        source="user.username", read_only=True, default=None, allow_null=True
    )
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        model = ApplicationMember
        fields = ["id", "email", "role", "state", "user", "invited_at", "expires_at", "expired"]


class MemberInput(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.EDITOR)


class MemberRoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)


class _OnApplication(viewsets.ViewSet):
    permission_classes = [perms.CanUseApplications]
    lookup_value_regex = r"\d+"

    def _application(self):
        return selectors.application_detail(self.request.user, self.kwargs["application_pk"])


class MessageViewSet(_OnApplication):
    """The application's conversation: public messages for the applicant's team, committee-only
    ones for the committee (reviewers after filing their own assessment)."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses=MessageOutput(many=True))
    def list(self, request, application_pk=None):
        application = self._application()
        if not perms.conversation_access(request.user, application).reads:
            raise PermissionDenied("You may not read this conversation.")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            collaboration.messages_visible_to(request.user, application), request, view=self
        )
        return paginator.get_paginated_response(MessageOutput(page, many=True).data)

    pagination_class = Pagination

    @extend_schema(
        request={"application/json": MessageInput, "multipart/form-data": MessageInput},
        responses={201: MessageOutput},
    )
    def create(self, request, application_pk=None):
        application = self._application()
        data = MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        message = services.message_post(
            actor=request.user,
            application=application,
            body=values["body"],
            visibility=values["visibility"],
            files=values.get("files") or [],
            answer=values["answer"],
        )
        return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)


class MemberViewSet(_OnApplication):
    """The application's co-applicants: invitations and members. The applicant invites,
    revokes and removes; a member may leave (DELETE on their own membership)."""

    @extend_schema(responses=MemberOutput(many=True))
    def list(self, request, application_pk=None):
        application = self._application()
        if not (
            perms.is_team_member(request.user, application)
            or perms.is_secretariat_or_chair(request.user)
        ):
            raise PermissionDenied("You may not see this application's team.")
        return Response(MemberOutput(collaboration.team_of(application), many=True).data)

    @extend_schema(request=MemberInput, responses={201: MemberOutput})
    def create(self, request, application_pk=None):
        application = self._application()
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        member, _token = services.application_member_invite(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(MemberOutput(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberRoleInput, responses={200: MemberOutput})
    def partial_update(self, request, application_pk=None, pk=None):
        """The applicant changes the role of a co-applicant or of an open invitation."""
        application = self._application()
        member = get_object_or_404(ApplicationMember, pk=pk, application=application)
        data = MemberRoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.application_member_set_role(
            actor=request.user, member=member, role=data.validated_data["role"]
        )
        return Response(MemberOutput(member).data)

    @extend_schema(request=None, responses={200: MemberOutput})
    def destroy(self, request, application_pk=None, pk=None):
        application = self._application()
        member = get_object_or_404(ApplicationMember, pk=pk, application=application)
        if member.state == MemberState.INVITED:
            member = services.application_member_revoke(actor=request.user, member=member)
        else:
            member = services.application_member_remove(actor=request.user, member=member)
        return Response(MemberOutput(member).data)


def register(router) -> None:
    router.register(
        r"applications/(?P<application_pk>\d+)/messages",
        MessageViewSet,
        basename="application-message",
    )
    router.register(
        r"applications/(?P<application_pk>\d+)/members",
        MemberViewSet,
        basename="application-member",
    )
