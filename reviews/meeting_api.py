"""The meetings API (issue 16): ``/api/v1/meetings/`` over the services in ``meetings.py``.

Committee members and auditors read; the secretariat and the chair schedule, cancel, set the
agenda, record attendance and minutes, and link the decisions taken at a meeting. Every write
is one service call (its checks, transaction and audit event); errors come back as the API's
one error shape.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from applications.selectors import applications_visible_to
from solidarity.errors import DomainError
from solidarity.validators import AsciiIntegerSerializerField

from . import meetings
from .meeting_models import AgendaItem, Attendance, Meeting

# ---- output ----------------------------------------------------------------------------


class AgendaItemOut(serializers.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference")
    application_title = serializers.CharField(source="application.title")
    decision_outcome = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "application",
            "application_reference",
            "application_title",
            "note",
            "decision",
            "decision_outcome",
        ]

    def get_decision_outcome(self, item) -> str:
        return item.decision.outcome if item.decision_id else ""


class AttendanceOut(serializers.ModelSerializer):
    member_username = serializers.CharField(source="member.username")
    member_name = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = ["member", "member_username", "member_name", "present"]

    def get_member_name(self, attendance) -> str:
        return attendance.member.get_full_name() or attendance.member.username


class MeetingListOut(serializers.ModelSerializer):
    item_count = serializers.IntegerField()
    present_count = serializers.IntegerField()

    class Meta:
        model = Meeting
        fields = ["id", "title", "starts_at", "location", "state", "item_count", "present_count"]


class MeetingOut(serializers.ModelSerializer):
    agenda = AgendaItemOut(source="items", many=True)
    attendance = AttendanceOut(many=True)
    minutes_recorded_by = serializers.CharField(
        source="minutes_recorded_by.username", default=None, allow_null=True
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "starts_at",
            "location",
            "state",
            "agenda",
            "attendance",
            "minutes",
            "minutes_recorded_at",
            "minutes_recorded_by",
            "created_at",
        ]


# ---- input -----------------------------------------------------------------------------


class MeetingIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AgendaIn(serializers.Serializer):
    application = AsciiIntegerSerializerField(min_value=1)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttendanceIn(serializers.Serializer):
    present = serializers.ListField(
        child=AsciiIntegerSerializerField(min_value=1), max_length=200, default=list
    )
    absent = serializers.ListField(
        child=AsciiIntegerSerializerField(min_value=1), max_length=200, default=list
    )


class MinutesIn(serializers.Serializer):
    minutes = serializers.CharField(max_length=50000)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# ---- the viewset -----------------------------------------------------------------------


class CanReadMeetings(BasePermission):
    def has_permission(self, request, view):
        return meetings.can_read_meetings(request.user)


class MeetingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Committee meetings: agenda, attendance, minutes, and the decisions taken there."""

    lookup_value_regex = r"\d+"
    permission_classes = [CanReadMeetings]
    serializer_class = MeetingListOut
    filter_backends: list = []

    def get_queryset(self):
        return meetings.meetings_list()

    def _meeting(self, pk) -> Meeting:
        try:
            return meetings.meeting_detail(int(pk))
        except (Meeting.DoesNotExist, ValueError):
            raise Http404 from None

    def _item(self, meeting, item_pk) -> AgendaItem:
        item = next((i for i in meeting.items.all() if i.pk == int(item_pk)), None)
        if item is None:
            raise Http404
        return item

    def _reply(self, pk, code=status.HTTP_200_OK):
        return Response(MeetingOut(self._meeting(pk)).data, status=code)

    @extend_schema(responses=MeetingOut)
    def retrieve(self, request, pk=None):
        return Response(MeetingOut(self._meeting(pk)).data)

    @extend_schema(request=MeetingIn, responses={201: MeetingOut})
    def create(self, request):
        data = _valid(MeetingIn, request)
        meeting = meetings.meeting_schedule(actor=request.user, **data)
        return self._reply(meeting.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ReasonIn, responses=MeetingOut)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self._meeting(pk)
        meetings.meeting_cancel(actor=request.user, meeting=meeting, **_valid(ReasonIn, request))
        return self._reply(pk)

    @extend_schema(request=AgendaIn, responses={201: MeetingOut})
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        """Put an application on the agenda (one the actor may see, awaiting the committee)."""
        meeting = self._meeting(pk)
        data = _valid(AgendaIn, request)
        application = applications_visible_to(request.user).filter(pk=data["application"]).first()
        if application is None:
            raise DomainError(
                _("No such application."), field_errors={"application": [_("No such application.")]}
            )
        meetings.meeting_add_item(
            actor=request.user, meeting=meeting, application=application, note=data["note"]
        )
        return self._reply(pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MeetingOut)
    @action(detail=True, methods=["delete"], url_path=r"agenda/(?P<item_pk>\d+)")
    def agenda_remove(self, request, pk=None, item_pk=None):
        meeting = self._meeting(pk)
        meetings.meeting_remove_item(actor=request.user, item=self._item(meeting, item_pk))
        return self._reply(pk)

    @extend_schema(request=None, responses=MeetingOut)
    @action(detail=True, methods=["post"], url_path=r"agenda/(?P<item_pk>\d+)/decision")
    def agenda_decision(self, request, pk=None, item_pk=None):
        """Record that the committee's decision on this item's application was taken here."""
        meeting = self._meeting(pk)
        meetings.meeting_link_decision(actor=request.user, item=self._item(meeting, item_pk))
        return self._reply(pk)

    @extend_schema(request=AttendanceIn, responses=MeetingOut)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        data = _valid(AttendanceIn, request)
        meetings.meeting_record_attendance(
            actor=request.user,
            meeting=self._meeting(pk),
            present_ids=data["present"],
            absent_ids=data["absent"],
        )
        return self._reply(pk)

    @extend_schema(request=MinutesIn, responses=MeetingOut)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        data = _valid(MinutesIn, request)
        meetings.meeting_record_minutes(
            actor=request.user, meeting=self._meeting(pk), minutes=data["minutes"]
        )
        return self._reply(pk)
