"""Read-mostly admin: state changes go through the services, never through the admin."""

from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Application, ApplicationVersion, Attachment, DatasetRequest, TeamMember


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TeamInline(ReadOnlyInline):
    model = TeamMember
    fields = ["name", "role", "organisation", "email"]


class DatasetRequestInline(ReadOnlyInline):
    model = DatasetRequest
    fields = ["dataset", "access_mode", "state", "decided_by", "decided_at"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "original_name", "size", "sha256", "uploaded_at"]


@admin.register(Application)
class ApplicationAdmin(GuardedModelAdmin):
    list_display = ["reference", "title", "applicant", "state", "submitted_at"]
    list_filter = ["state"]
    search_fields = ["reference", "title", "applicant__username"]
    inlines = [TeamInline, DatasetRequestInline, AttachmentInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApplicationVersion)
class ApplicationVersionAdmin(admin.ModelAdmin):
    list_display = ["application", "number", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
