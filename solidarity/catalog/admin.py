from django.contrib import admin
from django.db import transaction
from guardian.admin import GuardedModelAdmin

from solidarity import audit

from .models import Dataset, Organisation


class AuditedAdmin(admin.ModelAdmin):
    """Every change made in the admin is audited, as the services' are: the public register,
    which shows these names, is cached until the audit chain moves on (``register.caching``)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'admin_change' if change else 'admin_add'}",
            target=obj,
            payload={"changed": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                actor=request.user, action=f"{obj._meta.model_name}.admin_delete", target=obj
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit.record(
                    actor=request.user, action=f"{obj._meta.model_name}.admin_delete", target=obj
                )
            super().delete_queryset(request, queryset)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "country", "kind"]
    search_fields = ["name"]


@admin.register(Dataset)
class DatasetAdmin(AuditedAdmin, GuardedModelAdmin):
    list_display = ["title", "custodian", "sensitivity"]
    list_filter = ["sensitivity", "custodian"]
    search_fields = ["title"]
