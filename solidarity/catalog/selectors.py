"""Read queries for the catalogue."""

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import Dataset, Organisation


def dataset_list(*, search: str = "", custodian: str = "", access_mode: str = "") -> QuerySet:
    """Datasets open to browsing, with their custodian, filtered as the catalogue page asks."""
    qs = Dataset.objects.select_related("custodian").order_by("title")
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(description__icontains=search)
            | Q(population__icontains=search)
        )
    if custodian:
        qs = qs.filter(custodian__slug=custodian)
    if access_mode:
        # JSON containment is not portable to SQLite; a text match on the quoted value is.
        qs = qs.filter(access_modes__icontains=f'"{access_mode}"')
    return qs


def datasets_managed_by(user) -> QuerySet:
    """The datasets this user manages as a member of their custodian organisation."""
    return get_objects_for_user(
        user, "catalog.manage_dataset", klass=Dataset, accept_global_perms=False
    ).select_related("custodian")


def organisations_of(user) -> QuerySet:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name")
