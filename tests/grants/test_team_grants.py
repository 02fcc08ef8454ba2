"""Accepted co-applicants hold grants in an active project; removal ends theirs (issue 16)."""

from applications import services
from grants.models import Grant
from grants.services import project_members
from solidarity.audit.models import AuditEvent


def _join(application, applicant, user, role="viewer"):
    _member, token = services.application_member_invite(
        actor=applicant, application=application, email=user.email, role=role
    )
    return services.application_member_accept(actor=user, token=token)


def test_project_members_are_the_applicant_and_accepted_co_applicants(
    active, researcher, other_researcher, outsider
):
    assert project_members(active) == [researcher]
    services.application_member_invite(
        actor=researcher, application=active, email=outsider.email, role="editor"
    )
    _join(active, researcher, other_researcher)
    # An open invitation holds nothing; the accepted member does.
    assert project_members(active) == [researcher, other_researcher]


def test_a_co_applicant_who_joins_an_active_project_gains_grants(
    active, researcher, other_researcher
):
    _join(active, researcher, other_researcher)
    mine = Grant.objects.filter(application=active, user=other_researcher)
    assert mine.count() == 2 and all(g.ended_at is None for g in mine)
    assert AuditEvent.objects.filter(action="grant.add").count() == 4


def test_removal_ends_the_members_grants_only(active, researcher, other_researcher):
    member = _join(active, researcher, other_researcher)
    services.application_member_remove(actor=researcher, member=member)
    theirs = Grant.objects.filter(application=active, user=other_researcher)
    assert set(theirs.values_list("end_reason", flat=True)) == {"member_removed"}
    assert all(g.ended_at for g in theirs)
    applicants = Grant.objects.filter(application=active, user=researcher)
    assert all(g.ended_at is None for g in applicants)
    assert project_members(active) == [researcher]


def test_members_join_grants_at_activation(
    researcher, other_researcher, secretariat, chair, custodian, other_custodian, dataset
):
    from tests.applications import factories

    approved = factories.approved(researcher, secretariat, chair, datasets=[dataset])
    _join(approved, researcher, other_researcher)
    assert not Grant.objects.filter(application=approved).exists()
    request = approved.dataset_requests.get()
    services.dataset_request_grant(actor=custodian, dataset_request=request)
    approved.refresh_from_db()
    assert approved.state == "active"
    assert set(Grant.objects.filter(application=approved).values_list("user", flat=True)) == {
        researcher.pk,
        other_researcher.pk,
    }
