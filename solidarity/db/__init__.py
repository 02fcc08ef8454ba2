"""Database engines: Django's own, with the audit trail appended just before each commit.

``audit.record()`` inside a transaction only collects the event; these engines append the
collected events to the hash chain at the last moment before COMMIT (or when the outermost
block of a test's transaction ends), so the chain head — the one row every write locks — is
held for a few milliseconds per transaction instead of from the first event to the commit.
That also makes the head the last lock of every transaction, as the lock order requires.
Events of a rolled-back transaction or savepoint are dropped with it.
"""


class AuditAppendingMixin:
    defers_audit = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit_pending: list = []

    def _audit_flush(self) -> None:
        if self.audit_pending:
            from solidarity.audit.services import append_pending

            pending, self.audit_pending = self.audit_pending, []
            append_pending([event for _, event in pending], using=self.alias)

    def commit(self):
        self._audit_flush()
        super().commit()

    def rollback(self):
        self.audit_pending = []
        super().rollback()

    def close(self):
        self.audit_pending = []  # a transaction cut off by the close is rolled back
        super().close()

    def savepoint_commit(self, sid):
        # Leaving the outermost block that is not a test case's own wrapper: under a test
        # case this is where production would commit.
        if self.audit_pending and all(
            getattr(block, "_from_testcase", False) for block in self.atomic_blocks
        ):
            self._audit_flush()
        super().savepoint_commit(sid)

    def savepoint_rollback(self, sid):
        self.audit_pending = [(sids, e) for sids, e in self.audit_pending if sid not in sids]
        super().savepoint_rollback(sid)
