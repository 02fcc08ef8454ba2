from django.db.backends.sqlite3 import base

from solidarity.db import AuditAppendingMixin


class DatabaseWrapper(AuditAppendingMixin, base.DatabaseWrapper):
    pass
