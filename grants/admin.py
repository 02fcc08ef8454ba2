from django.contrib import admin

from .models import Grant, Node, Run, SigningKey, WebhookDelivery


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the services (audited); the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["id", "application", "dataset", "user", "started_at", "ended_at", "end_reason"]
    list_select_related = ["application", "dataset", "user"]
    list_filter = ["end_reason"]


@admin.register(Node)
class NodeAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "webhook_url", "created_at", "revoked_at"]
    list_select_related = ["organisation"]
    exclude = ["credential_hash", "webhook_secret_encrypted"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "node", "event", "state", "attempts", "last_status", "created_at"]
    list_select_related = ["node"]
    list_filter = ["state"]


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["id", "node", "application", "ran_at", "verdict", "status", "flagged_at"]
    list_select_related = ["node", "application"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "algorithm", "created_at", "retired_at", "publish_until"]
    exclude = ["private_key_encrypted"]
