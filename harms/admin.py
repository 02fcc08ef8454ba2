from django.contrib import admin

from .models import HarmReport, RedressAction, SuspensionRecommendation


@admin.register(HarmReport)
class HarmReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through the services; contact stays encrypted."""

    list_display = ["id", "state", "severity", "received_at"]
    list_filter = ["state", "severity"]
    exclude = ["receipt_hash", "contact_ciphertext", "reporter"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RedressAction)
class RedressActionAdmin(admin.ModelAdmin):
    list_display = ["id", "report", "kind", "state", "offered_at"]
    list_filter = ["kind", "state"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SuspensionRecommendation)
class SuspensionRecommendationAdmin(admin.ModelAdmin):
    list_display = ["id", "report", "application", "state", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
