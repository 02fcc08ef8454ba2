"""Reads of grants, visas, nodes, deliveries and runs: only what the reader may see."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from applications.models import ApplicationState

from . import permissions as perms
from . import visas
from .models import DeliveryState, Grant, Node, Run, WebhookDelivery

GRANT_RELATED = ("application", "dataset", "organisation", "user")


def grants_visible_to(user, *, node: Node | None = None) -> QuerySet:
    """A node: its organisation's grants. A person: their own, their organisations' (as a
    custodian) and every grant for the oversight roles."""
    qs = Grant.objects.select_related(*GRANT_RELATED)
    if node is not None:
        return qs.filter(organisation_id=node.organisation_id)
    if not user.is_authenticated:
        return qs.none()
    if perms.has_oversight(user):
        return qs
    return qs.filter(
        Q(user_id=user.pk) | Q(organisation_id__in=perms.custodian_organisation_ids(user))
    )


def grants_filtered(
    qs: QuerySet,
    *,
    dataset_id: int | None = None,
    username: str = "",
    changed_since: datetime.datetime | None = None,
    current: bool | None = None,
) -> QuerySet:
    if dataset_id is not None:
        qs = qs.filter(dataset_id=dataset_id)
    if username:
        qs = qs.filter(user__username=username)
    if changed_since is not None:
        qs = qs.filter(updated_at__gt=changed_since)
    if current is not None:
        qs = qs.filter(ended_at__isnull=current)
    return qs.order_by("updated_at", "id")


def _use_types(application_ids) -> dict[int, str]:
    """The committee's effective type per application (decided, else the chair's override)."""
    from reviews.models import CommitteeFile

    rows = CommitteeFile.objects.filter(application_id__in=set(application_ids)).values_list(
        "application_id", "decided_type", "override_type"
    )
    return {app_id: decided or override or "" for app_id, decided, override in rows}


def visa_grants(username: str, *, viewer, node: Node | None = None) -> list[Grant]:
    """The current grants of an active project whose visas ``viewer`` may receive: the user
    themself, or a node for its own organisation's datasets. Nobody else gets any."""
    qs = Grant.objects.select_related(*GRANT_RELATED).filter(
        user__username=username,
        ended_at__isnull=True,
        application__state=ApplicationState.ACTIVE,
    )
    today = timezone.localdate()
    qs = qs.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if node is not None:
        qs = qs.filter(organisation_id=node.organisation_id)
    elif not (viewer.is_authenticated and viewer.get_username() == username):
        return []
    return list(qs.order_by("id"))


def passport_for(username: str, *, viewer, node: Node | None = None) -> list[str]:
    """Signed ControlledAccessGrants visas, one per current grant the viewer may see."""
    grants = visa_grants(username, viewer=viewer, node=node)
    if not grants:
        return []
    types = _use_types(g.application_id for g in grants)
    key = visas.current_key()
    now = timezone.now()
    return [
        visas.sign(visas.visa_claims(g, now=now, use_type=types.get(g.application_id, "")), key=key)
        for g in grants
    ]


def nodes_for(user) -> QuerySet:
    """The nodes of the custodian's organisations, with their delivery counts."""
    return (
        Node.objects.filter(organisation_id__in=perms.custodian_organisation_ids(user))
        .select_related("organisation")
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        )
        .order_by("organisation__name", "name", "id")
    )


def node_for(user, pk: int) -> Node | None:
    return (
        Node.objects.filter(pk=pk, organisation_id__in=perms.custodian_organisation_ids(user))
        .select_related("organisation", "created_by", "revoked_by")
        .first()
    )


def deliveries_of(node: Node) -> QuerySet:
    return WebhookDelivery.objects.filter(node=node).select_related("grant__application")


def runs_visible_to(user, *, node: Node | None = None) -> QuerySet:
    qs = Run.objects.select_related("node", "grant__user", "grant__dataset", "application")
    if node is not None:
        return qs.filter(node=node)
    if not user.is_authenticated:
        return qs.none()
    if perms.has_oversight(user):
        return qs
    return qs.filter(
        Q(grant__organisation_id__in=perms.custodian_organisation_ids(user))
        | Q(application__applicant_id=user.pk)
    )


def project_overview(user, application) -> dict:
    """Grants and runs of one project, narrowed to what the user may see."""
    grants = list(grants_visible_to(user).filter(application=application).order_by("id"))
    runs = list(runs_visible_to(user).filter(application=application)[:200])
    flaggable = set(perms.custodian_organisation_ids(user))
    return {
        "grants": grants,
        "runs": runs,
        "can_flag": {r.pk for r in runs if r.grant.organisation_id in flaggable},
    }


def user_by_username(username: str):
    return get_user_model().objects.filter(username=username).first()
