"""Grants follow the project's life: added on activation, ended, resumed; every change audited."""

import pytest

from grants.models import Grant
from solidarity.audit.models import AuditEvent


def _post(api_client, user, url, data=None):
    api_client.force_authenticate(user)
    response = api_client.post(url, data or {}, format="json")
    api_client.force_authenticate(None)
    return response


def test_activation_grants_the_applicant_each_granted_dataset(active, researcher):
    grants = list(Grant.objects.filter(application=active).order_by("dataset_id"))
    assert len(grants) == 2
    assert {g.user_id for g in grants} == {researcher.pk}
    assert all(g.ended_at is None and g.end_reason == "" for g in grants)
    assert all(g.expires_on == active.access_expires_on for g in grants)
    assert {g.organisation_id for g in grants} == {
        r.dataset.custodian_id for r in active.dataset_requests.select_related("dataset")
    }
    events = AuditEvent.objects.filter(action="grant.add", target_type="grants.grant")
    assert sorted(events.values_list("target_id", flat=True)) == sorted(str(g.pk) for g in grants)


def test_no_grant_before_the_project_is_active(researcher, secretariat, chair, dataset):
    from tests.applications import factories

    approved = factories.approved(researcher, secretariat, chair, datasets=[dataset])
    assert approved.state == "approved"
    assert not Grant.objects.filter(application=approved).exists()


def test_team_members_without_an_account_hold_no_grant(active):
    # The complete draft names "Alice Applicant" as a team member: a name, not an account.
    assert active.team.exists()
    assert Grant.objects.filter(application=active).values("user").distinct().count() == 1


def test_suspension_ends_and_reinstatement_resumes_through_the_api(api_client, active, chair):
    url = f"/api/v1/applications/{active.pk}/"
    assert _post(api_client, chair, url + "suspend/", {"reason": "Harm finding"}).status_code == 200
    grants = Grant.objects.filter(application=active)
    assert set(grants.values_list("end_reason", flat=True)) == {"suspended"}
    assert all(g.ended_at for g in grants)

    assert _post(api_client, chair, url + "reinstate/").status_code == 200
    grants = list(Grant.objects.filter(application=active))
    assert all(g.ended_at is None and g.end_reason == "" and g.resumed_at for g in grants)
    assert AuditEvent.objects.filter(action="grant.end").count() == 2
    resumed = AuditEvent.objects.filter(action="grant.resume")
    assert resumed.count() == 2
    assert {e.payload["ended_for"] for e in resumed} == {"suspended"}


def test_revocation_ends_every_grant_for_good(api_client, active, chair):
    url = f"/api/v1/applications/{active.pk}/revoke/"
    assert _post(api_client, chair, url, {"reason": "Breach"}).status_code == 200
    assert set(Grant.objects.filter(application=active).values_list("end_reason", flat=True)) == {
        "revoked"
    }
    # A refused reinstatement changes nothing.
    response = _post(api_client, chair, f"/api/v1/applications/{active.pk}/reinstate/")
    assert response.status_code == 409
    assert not Grant.objects.filter(application=active, ended_at__isnull=True).exists()


def test_closure_ends_grants(api_client, active, researcher):
    url = f"/api/v1/applications/{active.pk}/close/"
    response = _post(api_client, researcher, url, {"final_report": "All done."})
    assert response.status_code == 200
    assert set(Grant.objects.filter(application=active).values_list("end_reason", flat=True)) == {
        "closed"
    }


def test_expiry_ends_grants(active):
    import datetime

    from applications.services import application_expire_due

    application_expire_due(today=active.access_expires_on + datetime.timedelta(days=1))
    assert set(Grant.objects.filter(application=active).values_list("end_reason", flat=True)) == {
        "expired"
    }


def test_an_amendment_keeps_grants_on_the_last_approved_terms(api_client, active, researcher):
    # DESIGN §11: until the committee decides the amendment, the project keeps its approved terms.
    response = _post(
        api_client, researcher, f"/api/v1/applications/{active.pk}/amend/", {"reason": "Extend"}
    )
    assert response.status_code == 200
    assert Grant.objects.filter(application=active, ended_at__isnull=True).count() == 2
    assert not AuditEvent.objects.filter(action="grant.end").exists()


def test_a_refused_revocation_leaves_grants_untouched(api_client, active, researcher):
    response = _post(
        api_client, researcher, f"/api/v1/applications/{active.pk}/revoke/", {"reason": "x"}
    )
    assert response.status_code == 403
    assert Grant.objects.filter(application=active, ended_at__isnull=True).count() == 2
    assert not AuditEvent.objects.filter(action="grant.end").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_revocation_without_reason_keeps_grants(api_client, active, chair, reason):
    response = _post(
        api_client, chair, f"/api/v1/applications/{active.pk}/revoke/", {"reason": reason}
    )
    assert response.status_code == 400
    assert Grant.objects.filter(application=active, ended_at__isnull=True).count() == 2


def test_an_amendment_that_drops_a_dataset_ends_that_grant_when_approved(
    api_client,
    researcher,
    secretariat,
    reviewer,
    other_reviewer,
    chair,
    custodian,
    other_custodian,
    dataset,
    other_dataset,
    monkeypatch,
):
    import datetime

    from django.utils import timezone

    from applications import activation
    from reviews import services as review_services
    from tests.applications import factories as application_factories
    from tests.reviews import factories as review_factories
    from tests.rulebook.test_whole_life import _as, _ok, _vote_and_decide

    monkeypatch.setattr(activation, "_checks", [activation.datasets_granted])
    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    reviewers = [reviewer, other_reviewer]
    application = application_factories.in_review(
        researcher, secretariat, datasets=[dataset, other_dataset]
    )
    pk = application.pk
    for person in reviewers:
        review_factories.file_review(
            review_factories.assign(application, secretariat, person), framework
        )
    expires = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    _vote_and_decide(api_client, reviewers, chair, pk, expires)
    deciders = {dataset.pk: custodian, other_dataset.pk: other_custodian}
    for request in application.dataset_requests.all():
        who = _as(api_client, deciders[request.dataset_id])
        _ok(who.post(f"/api/v1/dataset-requests/{request.pk}/grant/", {}))
    assert Grant.objects.filter(application_id=pk, ended_at__isnull=True).count() == 2

    a = _as(api_client, researcher)
    _ok(a.post(f"/api/v1/applications/{pk}/amend/", {"reason": "Narrow"}, format="json"))
    dropped = application.dataset_requests.get(dataset=other_dataset)
    assert a.delete(f"/api/v1/dataset-requests/{dropped.pk}/").status_code == 204
    # Still the approved terms while the amendment is reviewed.
    assert Grant.objects.get(application_id=pk, dataset=other_dataset).ended_at is None
    _ok(a.post(f"/api/v1/applications/{pk}/submit/"))
    _ok(_as(api_client, secretariat).post(f"/api/v1/applications/{pk}/accept/"))
    _vote_and_decide(api_client, reviewers, chair, pk, expires)

    ended = Grant.objects.get(application_id=pk, dataset=other_dataset)
    assert ended.ended_at is not None and ended.end_reason == "amended"
    kept = Grant.objects.get(application_id=pk, dataset=dataset)
    assert kept.ended_at is None
