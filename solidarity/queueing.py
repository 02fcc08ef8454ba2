"""Sending Celery tasks without letting a broker outage fail the request that asked for them.

Every caller keeps the work in the database first (an outbox row, a queued report job), so a
message that cannot be sent now is sent again by the periodic recovery tasks once the broker is
back (``solidarity/celery.py``).
"""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, *args, what: str = "") -> bool:
    """Send ``task`` with ``args``; on a broker error log a warning and return False."""
    try:
        task.delay(*args)
    except Exception:  # kombu/redis raise many kinds; none of them may fail the request
        logger.warning(
            "Could not queue %s (%s); it stays in the database for the periodic retry",
            what or task.name,
            task.name,
            exc_info=True,
        )
        return False
    return True
