from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Dataset, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind"]
    search_fields = ["name"]


@admin.register(Dataset)
class DatasetAdmin(GuardedModelAdmin):
    list_display = ["title", "custodian", "sensitivity"]
    list_filter = ["sensitivity", "custodian"]
    search_fields = ["title"]
