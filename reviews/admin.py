from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidarity.errors import DomainError

from . import services
from .models import (
    Assessment,
    AssessmentFramework,
    Assignment,
    CommitteeFile,
    Condition,
    RiskItem,
    Vote,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through the services; the admin only reads."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentFramework)
class AssessmentFrameworkAdmin(ReadOnlyAdmin):
    """A framework is never edited in place: staff copy it to a new version or choose the
    default. Import new questionnaires with ``manage.py import_framework``."""

    list_display = ["name", "version", "is_default", "created_at"]
    actions = ["make_default", "new_version"]

    @admin.action(description=_("Make the selected framework the default"))
    def make_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one framework."), messages.ERROR)
            return
        services.framework_set_default(actor=request.user, framework=queryset.get())
        self.message_user(request, _("The default framework was changed."))

    @admin.action(description=_("Copy the selected frameworks to a new version"))
    def new_version(self, request, queryset):
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        for framework in queryset:
            try:
                copy = services.framework_new_version(
                    actor=request.user, framework=framework, version=f"{framework.version}-{stamp}"
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, _("Created %(f)s.") % {"f": copy})


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["application", "reviewer", "role", "state", "due_on"]
    list_filter = ["state", "role"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "author", "use_type", "filed_at"]
    list_filter = ["kind", "use_type"]


@admin.register(RiskItem)
class RiskItemAdmin(ReadOnlyAdmin):
    list_display = [
        "assessment",
        "category",
        "borne_by",
        "residual_likelihood",
        "residual_severity",
    ]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["application", "voter", "choice", "cast_at"]


@admin.register(CommitteeFile)
class CommitteeFileAdmin(ReadOnlyAdmin):
    list_display = ["application", "quorum", "override_type", "outcome", "decided_at"]


@admin.register(Condition)
class ConditionAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "state", "owner", "due_on"]
    list_filter = ["state", "kind"]
