"""The hash-chained audit trail. ``audit.record(...)`` is what every service calls."""


def record(**kwargs):
    from .services import record as _record

    return _record(**kwargs)
