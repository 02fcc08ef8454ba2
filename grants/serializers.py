"""What nodes read and send: grants, runs, nodes (input and output serializers apart)."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import EndReason, Grant, Run, Verdict


class GrantSerializer(serializers.ModelSerializer):
    """One grant as nodes see it (also the ``grant`` of every push)."""

    user = serializers.CharField(source="user.get_username", read_only=True)
    project = serializers.CharField(source="application.reference", read_only=True)
    dataset_url = serializers.SerializerMethodField()
    custodian = serializers.CharField(source="organisation.slug", read_only=True)
    current = serializers.BooleanField(source="is_current", read_only=True)
    end_reason = serializers.ChoiceField(choices=EndReason.choices, allow_blank=True)

    class Meta:
        model = Grant
        fields = [
            "id",
            "user",
            "project",
            "application",
            "dataset",
            "dataset_url",
            "custodian",
            "access_mode",
            "current",
            "started_at",
            "resumed_at",
            "expires_on",
            "ended_at",
            "end_reason",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_dataset_url(self, grant) -> str:
        return settings.VISA_ISSUER.rstrip("/") + reverse(
            "catalog:dataset-detail", args=[grant.dataset_id]
        )


class PassportSerializer(serializers.Serializer):
    """REMS-compatible: the user's visas as signed JWTs."""

    ga4gh_passport_v1 = serializers.ListField(child=serializers.CharField())


class RunOutputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RunInputSerializer(serializers.Serializer):
    grant = serializers.IntegerField(min_value=1, max_value=2**62)
    ran_at = serializers.DateTimeField()
    script_sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$", required=False, allow_blank=True, default=""
    )
    job_reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    outputs = RunOutputSerializer(many=True, required=False, default=list)
    verdict = serializers.ChoiceField(choices=Verdict.choices)

    def validate_outputs(self, value):
        if len(value) > 500:
            raise serializers.ValidationError("At most 500 outputs per run.")
        return value

    def validate(self, attrs):
        if not (attrs.get("script_sha256") or attrs.get("job_reference")):
            raise serializers.ValidationError(
                {"script_sha256": "Give the script's SHA-256 or the job reference."}
            )
        return attrs


class RunSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node.name", read_only=True)
    project = serializers.CharField(source="application.reference", read_only=True)
    flagged = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "node",
            "grant",
            "project",
            "ran_at",
            "script_sha256",
            "job_reference",
            "outputs",
            "verdict",
            "status",
            "refusal_reason",
            "flagged",
            "created_at",
        ]
        read_only_fields = fields

    def get_flagged(self, run) -> bool:
        return run.flagged_at is not None


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class RunRefusedSerializer(serializers.Serializer):
    """409: the run was recorded as refused (its grant had ended)."""

    error = ErrorBodySerializer()
    run = RunSerializer()
