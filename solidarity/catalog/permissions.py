"""Who may do what with the catalogue."""

from solidarity.accounts.roles import Role, has_role


def can_browse_catalog(user) -> bool:
    return user.is_authenticated


def can_create_dataset_for(user, organisation) -> bool:
    return (
        user.is_authenticated
        and has_role(user, Role.CUSTODIAN)
        and user.memberships.filter(organisation=organisation).exists()
    )


def can_manage_dataset(user, dataset) -> bool:
    return (
        user.is_authenticated
        and has_role(user, Role.CUSTODIAN)
        and user.has_perm("catalog.manage_dataset", dataset)
    )
