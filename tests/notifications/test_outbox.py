import pytest
from django.urls import reverse

from solidarity.celery import app as celery_app
from solidarity.notifications.models import Notification
from solidarity.notifications.services import notify, outbox_retry


def test_notify_writes_inbox_rows_and_sends_email_after_commit(
    researcher, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[researcher, reviewer, researcher],
            kind="generic",
            context={"subject": "Your application moved", "body": "It is in review."},
            url="/",
        )
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([researcher.email, reviewer.email])
    assert mailoutbox[0].subject == "Your application moved"
    assert set(Notification.objects.values_list("email_state", flat=True)) == {"sent"}


def test_nothing_is_sent_when_the_transaction_rolls_back(researcher, mailoutbox):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[researcher], kind="generic", context={"subject": "s", "body": "b"})
        raise RuntimeError
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_broker_outage_keeps_email_in_outbox_until_retry(
    researcher, mailoutbox, django_capture_on_commit_callbacks, settings
):
    celery_app.conf.task_always_eager = False
    old = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    celery_app.conf.broker_connection_retry = False
    celery_app.conf.broker_connection_max_retries = 0
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[researcher], kind="generic", context={"subject": "s", "body": "b"})
    finally:
        celery_app.conf.broker_url = old
        celery_app.conf.task_always_eager = True
    notification = Notification.objects.get()
    assert notification.email_state == "pending"
    assert mailoutbox == []
    assert outbox_retry(older_than_seconds=0) == 1
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.email_state == "sent"
    # A second retry sends nothing more: delivery is idempotent.
    assert outbox_retry(older_than_seconds=0) == 0
    assert len(mailoutbox) == 1


def test_recipient_without_email_gets_inbox_only(researcher, mailoutbox):
    researcher.email = ""
    researcher.save()
    notify(recipients=[researcher], kind="generic", context={"subject": "s", "body": "b"})
    assert Notification.objects.get().email_state == "skipped"


def test_inbox_shows_own_notifications_and_unread_count(client, researcher, reviewer):
    notify(recipients=[researcher], kind="generic", context={"subject": "For Alice", "body": "b"})
    notify(recipients=[reviewer], kind="generic", context={"subject": "For Rita", "body": "b"})
    client.force_login(researcher)
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert "For Alice" in body and "For Rita" not in body
    assert "1 unread" in body
    client.post(reverse("notifications:mark-read"))
    assert "unread" not in client.get(reverse("notifications:inbox")).content.decode()
    assert Notification.objects.get(recipient=reviewer).read_at is None


@pytest.mark.parametrize("rows", [1, 50])
def test_inbox_runs_a_fixed_number_of_queries(client, researcher, django_assert_num_queries, rows):
    for i in range(rows):
        notify(recipients=[researcher], kind="generic", context={"subject": f"n{i}", "body": "b"})
    client.force_login(researcher)
    client.get(reverse("notifications:inbox"))
    # user, roles for the menu (just signed in), count, page rows, unread badge (just
    # notified); the session comes from the cache
    with django_assert_num_queries(5):
        assert client.get(reverse("notifications:inbox")).status_code == 200
