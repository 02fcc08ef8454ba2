"""Two e-mails to the same person delivered at the same moment are both sent at once: the
delivery locks only its outbox row, never the recipient's user row."""

import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, connections

from solidarity.notifications.models import Notification
from solidarity.notifications.tasks import deliver_email

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


class SlowBackend(EmailBackend):
    """A mail server that takes a moment, so the two deliveries overlap."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


def test_two_concurrent_deliveries_to_one_recipient_are_both_sent(settings, researcher):
    settings.EMAIL_BACKEND = "tests.faults.test_delivery_race.SlowBackend"
    # Two outbox rows for one person, waiting for two workers.
    first, second = (
        Notification.objects.create(recipient=researcher, kind="x", subject=s, body=s)
        for s in ("one", "two")
    )
    barrier = threading.Barrier(2)
    results = {}

    def deliver(pk):
        try:
            barrier.wait()
            results[pk] = deliver_email.apply(args=[pk]).get()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(n.pk,)) for n in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {first.pk: True, second.pk: True}
    assert set(
        Notification.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "email_state", flat=True
        )
    ) == {Notification.EmailState.SENT}
    assert len(mail.outbox) == 2
