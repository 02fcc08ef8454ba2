import pytest

from solidarity.celery import app as celery_app


@pytest.fixture
def broker(settings, monkeypatch):
    """Celery with a real broker URL that nothing answers; ``broker.back()`` restores it
    (eagerly, as the worker that comes back would run what is then sent)."""

    def fresh_connections():
        # The app's pools keep the broker URL they were made with: look them up anew.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    class Broker:
        def down(self):
            fresh_connections()
            celery_app.conf.task_always_eager = False
            closed = "redis://127.0.0.1:1/0"  # nothing listens there
            # Celery prefers these environment variables to its configuration (CI sets one).
            monkeypatch.setenv("CELERY_BROKER_URL", closed)
            monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
            celery_app.conf.broker_url = closed
            celery_app.conf.broker_write_url = closed
            celery_app.conf.broker_connection_retry = False
            celery_app.conf.broker_connection_max_retries = 0

        def back(self):
            celery_app.conf.task_always_eager = True

    old, old_write = celery_app.conf.broker_url, celery_app.conf.get("broker_write_url")
    yield Broker()
    monkeypatch.undo()
    celery_app.conf.broker_url = old
    celery_app.conf.broker_write_url = old_write
    fresh_connections()
    celery_app.conf.task_always_eager = True


@pytest.fixture
def other_auditor(db):
    from tests.factories import UserFactory

    return UserFactory(username="otto", roles=["auditor"])
