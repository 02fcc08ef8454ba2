from django.db.backends.postgresql import base

from solidarity.db import AuditAppendingMixin


class DatabaseWrapper(AuditAppendingMixin, base.DatabaseWrapper):
    pass
