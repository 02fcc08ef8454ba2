"""Co-applicants: invitations by e-mail, acceptance, roles, revocation, removal (issue 16)."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import ApplicationState
from applications.team import ApplicationMember, MemberState
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied
from solidarity.notifications.models import Notification

from . import factories

S = ApplicationState


def invite(application, applicant, email, role="editor"):
    member, token = services.application_member_invite(
        actor=applicant, application=application, email=email, role=role
    )
    return member, token


def actions(application):
    return list(
        AuditEvent.objects.for_target(application).order_by("id").values_list("action", flat=True)
    )


def test_invitation_to_an_account_notifies_it_and_acceptance_lets_it_see(
    client, researcher, other_researcher, draft
):
    member, token = invite(draft, researcher, other_researcher.email)
    note = Notification.objects.get(recipient=other_researcher)
    assert note.url == f"/applications/invitations/{token}/"
    # Only the token's hash is stored.
    assert token not in member.token_sha256
    client.force_login(other_researcher)
    detail = reverse("applications:detail", args=[draft.pk])
    assert client.get(detail).status_code == 404
    response = client.post(f"/applications/invitations/{token}/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.state, member.user) == (MemberState.ACCEPTED, other_researcher)
    page = client.get(detail)
    assert page.status_code == 200
    assert "Co-applicants" in page.content.decode()
    assert draft.title in client.get(reverse("applications:mine")).content.decode()
    assert {"application.member_invite", "application.member_accept"} <= set(actions(draft))
    # The applicant is told.
    assert Notification.objects.filter(
        recipient=researcher, subject__contains="joined the team"
    ).exists()


def test_invitation_to_a_new_address_creates_the_account(
    client, researcher, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member, token = invite(draft, researcher, "newcomer@example.org", role="viewer")
    assert [m.to for m in mail.outbox] == [["newcomer@example.org"]]
    assert f"/applications/invitations/{token}/" in mail.outbox[0].body
    url = f"/applications/invitations/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="username"' in page.content.decode()
    refused = client.post(url, {"username": "nina", "password1": "x", "password2": "x"})
    assert refused.status_code == 400
    assert not ApplicationMember.objects.filter(state=MemberState.ACCEPTED).exists()
    response = client.post(
        url,
        {
            "username": "nina",
            "first_name": "Nina",
            "last_name": "Newcomer",
            "password1": "long enough passphrase 42",
            "password2": "long enough passphrase 42",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.state == MemberState.ACCEPTED
    assert member.user.email == "newcomer@example.org"
    assert member.user.has_role("researcher")
    # Signed in as the new account, which sees the application (read-only: a viewer).
    assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 200
    edit = reverse("applications:edit", args=[draft.pk, "summary"])
    assert client.get(edit).status_code == 403


def test_an_invitation_for_another_account_is_refused(
    client, researcher, other_researcher, outsider, draft
):
    _member, token = invite(draft, researcher, other_researcher.email)
    with pytest.raises(PermissionDenied):
        services.application_member_accept(actor=outsider, token=token)
    client.force_login(outsider)
    assert client.post(f"/applications/invitations/{token}/").status_code == 403
    assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 404


def test_editor_co_edits_but_only_the_applicant_submits(
    client, researcher, other_researcher, draft
):
    _member, token = invite(draft, researcher, other_researcher.email, role="editor")
    services.application_member_accept(actor=other_researcher, token=token)
    client.force_login(other_researcher)
    response = client.post(
        reverse("applications:edit", args=[draft.pk, "summary"]),
        {
            "title": "Edited by the co-applicant",
            "lay_summary": "x",
            "scientific_summary": "y",
            "aims": "z",
            "methods": "w",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Edited by the co-applicant"
    assert client.post(reverse("applications:action", args=[draft.pk, "submit"])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=other_researcher, application=draft)
    # The history is theirs to read.
    assert (
        "Draft edited"
        in client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    )


def test_revoked_invitation_stops_working_and_sees_nothing(
    client, api_client, researcher, other_researcher, draft
):
    member, token = invite(draft, researcher, other_researcher.email)
    client.force_login(researcher)
    response = client.post(reverse("applications:member-revoke", args=[draft.pk, member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.state == MemberState.REVOKED
    with pytest.raises(DomainError):
        services.application_member_accept(actor=other_researcher, token=token)
    client.force_login(other_researcher)
    assert client.post(f"/applications/invitations/{token}/").status_code == 400
    assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 404
    api_client.force_authenticate(other_researcher)
    assert api_client.get(f"/api/v1/applications/{draft.pk}/").status_code == 404
    assert "application.member_revoke" in actions(draft)


def test_removed_member_sees_nothing_any_more(
    client, api_client, researcher, other_researcher, submitted
):
    member, token = invite(submitted, researcher, other_researcher.email, role="viewer")
    services.application_member_accept(actor=other_researcher, token=token)
    api_client.force_authenticate(other_researcher)
    assert api_client.get(f"/api/v1/applications/{submitted.pk}/").status_code == 200
    version_url = reverse("applications:versions", args=[submitted.pk])
    client.force_login(other_researcher)
    assert client.get(version_url).status_code == 200
    client.force_login(researcher)
    client.post(reverse("applications:member-remove", args=[submitted.pk, member.pk]))
    member.refresh_from_db()
    assert member.state == MemberState.REMOVED
    client.force_login(other_researcher)
    assert client.get(reverse("applications:detail", args=[submitted.pk])).status_code == 404
    assert client.get(version_url).status_code == 404
    assert api_client.get(f"/api/v1/applications/{submitted.pk}/").status_code == 404
    assert api_client.get("/api/v1/applications/").json()["results"] == []
    assert "application.member_remove" in actions(submitted)


def test_expired_invitation_cannot_be_accepted(researcher, other_researcher, draft, settings):
    member, token = invite(draft, researcher, other_researcher.email)
    ApplicationMember.objects.filter(pk=member.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(DomainError, match="expired"):
        services.application_member_accept(actor=other_researcher, token=token)
    # A new invitation to the same address replaces the expired one.
    invite(draft, researcher, other_researcher.email)
    member.refresh_from_db()
    assert member.state == MemberState.REVOKED


def test_invitations_expire_after_the_setting(researcher, other_researcher, draft, settings):
    settings.TEAM_INVITATION_DAYS = 3
    member, _token = invite(draft, researcher, other_researcher.email)
    assert (member.expires_at - timezone.now()).days in (2, 3)


@pytest.mark.parametrize("who", ["other_researcher", "outsider", "secretariat"])
def test_only_the_applicant_invites(request, client, researcher, draft, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.application_member_invite(
            actor=actor, application=draft, email="x@example.org", role="editor"
        )
    client.force_login(actor)
    url = reverse("applications:member-invite", args=[draft.pk])
    assert client.post(
        url, {"invite-email": "x@example.org", "invite-role": "editor"}
    ).status_code in (403, 404)


def test_an_editor_may_not_invite_either(researcher, other_researcher, draft):
    _member, token = invite(draft, researcher, other_researcher.email)
    services.application_member_accept(actor=other_researcher, token=token)
    with pytest.raises(PermissionDenied):
        services.application_member_invite(
            actor=other_researcher, application=draft, email="y@example.org"
        )


def test_bad_invitations_re_render_with_field_errors(client, researcher, other_researcher, draft):
    client.force_login(researcher)
    url = reverse("applications:member-invite", args=[draft.pk])
    bad = client.post(url, {"invite-email": "not an address", "invite-role": "editor"})
    assert bad.status_code == 400 and "error" in bad.content.decode()
    own = client.post(url, {"invite-email": researcher.email, "invite-role": "editor"})
    assert own.status_code == 400 and "own address" in own.content.decode()
    client.post(url, {"invite-email": other_researcher.email, "invite-role": "viewer"})
    twice = client.post(url, {"invite-email": other_researcher.email, "invite-role": "viewer"})
    assert twice.status_code == 400 and "already invited" in twice.content.decode()
    assert ApplicationMember.objects.count() == 1


def test_members_hear_of_a_revision_request(researcher, other_researcher, secretariat, submitted):
    _member, token = invite(submitted, researcher, other_researcher.email)
    services.application_member_accept(actor=other_researcher, token=token)
    services.application_request_revision(
        actor=secretariat, application=submitted, message="Please add the DPIA."
    )
    assert Notification.objects.filter(
        recipient=other_researcher, subject__startswith="Revision requested"
    ).exists()


def test_my_applications_keeps_a_fixed_number_of_queries(
    client, researcher, other_researcher, dataset
):
    def own_and_joined(n):
        for _ in range(n):
            application = factories.complete_draft(researcher, datasets=[dataset])
            _m, token = invite(application, researcher, other_researcher.email)
            services.application_member_accept(actor=other_researcher, token=token)
            factories.complete_draft(other_researcher, datasets=[dataset])

    client.force_login(other_researcher)
    own_and_joined(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("applications:mine"))  # warm: the session's first-request queries
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("applications:mine")).status_code == 200
    own_and_joined(5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("applications:mine"))
    assert len(re.findall("Diabetes and heat waves", page.content.decode())) >= 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_members_api_invites_lists_changes_roles_and_revokes(
    api_client, researcher, other_researcher, outsider, draft
):
    url = f"/api/v1/applications/{draft.pk}/members/"
    api_client.force_authenticate(researcher)
    bad = api_client.post(url, {"email": "nope", "role": "owner"}, format="json")
    assert bad.status_code == 400 and {"email", "role"} <= set(str(bad.json()).split("'"))
    created = api_client.post(
        url, {"email": other_researcher.email, "role": "viewer"}, format="json"
    )
    assert created.status_code == 201 and created.json()["state"] == "invited"
    member_url = f"{url}{created.json()['id']}/"
    assert (
        api_client.patch(member_url, {"role": "editor"}, format="json").json()["role"] == "editor"
    )
    assert [m["email"] for m in api_client.get(url).json()] == [other_researcher.email]
    api_client.force_authenticate(outsider)
    assert api_client.get(url).status_code == 404
    assert api_client.delete(member_url).status_code == 404
    api_client.force_authenticate(researcher)
    revoked = api_client.delete(member_url)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert api_client.get(url).json() == []


def test_a_member_may_leave_and_an_editor_may_not_remove_others(
    client, researcher, other_researcher, draft
):
    from tests.factories import UserFactory

    third = UserFactory(username="tess", roles=["researcher"])
    joined = {}
    for user in (other_researcher, third):
        _member, token = invite(draft, researcher, user.email)
        joined[user.pk] = services.application_member_accept(actor=user, token=token)
    with pytest.raises(PermissionDenied):
        services.application_member_remove(actor=other_researcher, member=joined[third.pk])
    client.force_login(other_researcher)
    response = client.post(
        reverse("applications:member-remove", args=[draft.pk, joined[other_researcher.pk].pk])
    )
    assert response.status_code == 302
    assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 404
    assert "application.member_leave" in actions(draft)


def test_editors_not_viewers_are_asked_to_answer_a_revision_request(
    client, researcher, other_researcher, secretariat, submitted
):
    from tests.factories import UserFactory

    viewer = UserFactory(username="vera", roles=["researcher"])
    for user, role in ((other_researcher, "editor"), (viewer, "viewer")):
        _member, token = invite(submitted, researcher, user.email, role=role)
        services.application_member_accept(actor=user, token=token)
    services.application_request_revision(
        actor=secretariat, application=submitted, message="Say more."
    )
    wanted = f"Answer the revision request: {submitted.reference}"

    def home(user):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))

    assert wanted in home(researcher)
    assert wanted in home(other_researcher)
    assert wanted not in home(viewer)
