"""Changes to organisations, memberships and datasets; each one is audited."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from guardian.shortcuts import assign_perm

from solidarity import audit
from solidarity.accounts.models import Membership
from solidarity.errors import PermissionDenied

from .models import Dataset, Organisation
from .permissions import can_create_dataset_for, can_manage_dataset

DATASET_FIELDS = [
    "title",
    "description",
    "population",
    "communities",
    "sensitivity",
    "access_modes",
    "consent_use",
    "consent_modifiers",
    "consent_disease",
    "consent_regions",
    "is_active",
]


def organisation_group(organisation: Organisation) -> Group:
    group, _ = Group.objects.get_or_create(name=organisation.custodian_group_name)
    return group


@transaction.atomic
def organisation_create(*, actor, name: str, country: str, kind: str) -> Organisation:
    """Create an organisation and the group through which its members hold dataset rights."""
    base = slugify(name)[:190] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organisation = Organisation(name=name, slug=slug, country=country, kind=kind)
    organisation.full_clean()
    organisation.save()
    organisation_group(organisation)
    audit.record(
        actor=actor,
        action="organisation.create",
        target=organisation,
        payload={"name": name, "country": country, "kind": kind},
    )
    return organisation


@transaction.atomic
def membership_add(*, actor, user, organisation: Organisation, title: str = "") -> Membership:
    """Make a user a member of an organisation; members manage the organisation's datasets."""
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"title": title}
    )
    user.groups.add(organisation_group(organisation))
    if created:
        audit.record(
            actor=actor,
            action="membership.add",
            target=organisation,
            payload={"user": user.get_username(), "title": title},
        )
    return membership


@transaction.atomic
def membership_remove(*, actor, user, organisation: Organisation) -> None:
    """End a membership and, with it, the rights it carried."""
    deleted, _ = Membership.objects.filter(user=user, organisation=organisation).delete()
    user.groups.remove(organisation_group(organisation))
    if deleted:
        audit.record(
            actor=actor,
            action="membership.remove",
            target=organisation,
            payload={"user": user.get_username()},
        )


@transaction.atomic
def dataset_create(*, actor, custodian: Organisation, **fields) -> Dataset:
    """Register a dataset held by the custodian; only the custodian's own members may."""
    if actor is not None and not can_create_dataset_for(actor, custodian):
        raise PermissionDenied("Only members of the custodian organisation may register its data.")
    dataset = Dataset(
        custodian=custodian, **{k: v for k, v in fields.items() if k in DATASET_FIELDS}
    )
    dataset.full_clean()
    dataset.save()
    assign_perm("catalog.manage_dataset", organisation_group(custodian), dataset)
    assign_perm("catalog.change_dataset", organisation_group(custodian), dataset)
    audit.record(
        actor=actor,
        action="dataset.create",
        target=dataset,
        payload={"custodian": custodian.name, "title": dataset.title},
    )
    return dataset


@transaction.atomic
def dataset_update(*, actor, dataset: Dataset, **fields) -> Dataset:
    """Change a dataset's description; only its custodian's members may."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if not can_manage_dataset(actor, dataset):
        raise PermissionDenied("Only the dataset's custodian may change it.")
    changed = {}
    for name, value in fields.items():
        if name in DATASET_FIELDS and getattr(dataset, name) != value:
            changed[name] = value
            setattr(dataset, name, value)
    if not changed:
        return dataset
    dataset.full_clean()
    dataset.save(update_fields=[*changed, "updated_at"])
    audit.record(
        actor=actor, action="dataset.update", target=dataset, payload={"changed": sorted(changed)}
    )
    return dataset
