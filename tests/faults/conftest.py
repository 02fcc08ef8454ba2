import pytest

from solidarity.celery import app as celery_app


@pytest.fixture
def broker(settings):
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
            celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
            celery_app.conf.broker_connection_retry = False
            celery_app.conf.broker_connection_max_retries = 0

        def back(self):
            celery_app.conf.task_always_eager = True

    old = celery_app.conf.broker_url
    yield Broker()
    celery_app.conf.broker_url = old
    fresh_connections()
    celery_app.conf.task_always_eager = True


@pytest.fixture
def other_auditor(db):
    from tests.factories import UserFactory

    return UserFactory(username="otto", roles=["auditor"])
