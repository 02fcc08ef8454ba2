"""The password pages say what happened, each its own outcome (not one "Done." for all)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _outcome(response) -> str:
    return re.search(r'data-testid="outcome">([^<]*)<', response.content.decode()).group(1)


def test_changing_a_password_says_it_was_changed(client, researcher, password):
    client.force_login(researcher)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "a-Long-new-secret-7431",
            "new_password2": "a-Long-new-secret-7431",
        },
        follow=True,
    )
    assert "Your password was changed" in _outcome(response)
    assert "reset link" not in response.content.decode()


def test_a_reset_request_says_a_link_may_be_on_its_way(client, researcher):
    response = client.post(reverse("password_reset"), {"email": researcher.email}, follow=True)
    assert "a link to choose a new password is on its way" in _outcome(response)
    assert len(mail.outbox) <= 1


def test_a_completed_reset_says_the_new_password_is_set(client):
    response = client.get(reverse("password_reset_complete"))
    assert "Your new password is set" in _outcome(response)
    assert reverse("login") in response.content.decode()
