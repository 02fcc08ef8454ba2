from django.contrib import admin

from .models import BenefitAgreement, FundReservation, FundTransaction, Obligation


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through the services; the admin only shows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BenefitAgreement)
class BenefitAgreementAdmin(ReadOnlyAdmin):
    list_display = ["id", "application", "kind", "state", "terms_version", "created_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["application"]


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = ["id", "agreement", "kind", "beneficiary", "due_date", "state"]
    list_filter = ["state", "kind"]
    list_select_related = ["agreement"]


@admin.register(FundTransaction)
class FundTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "amount_minor", "currency", "source_type"]
    list_filter = ["kind", "currency"]


@admin.register(FundReservation)
class FundReservationAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "state", "amount_minor", "currency", "source_type"]
    list_filter = ["state", "currency"]
