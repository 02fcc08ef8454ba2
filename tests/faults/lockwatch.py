"""A pytest plugin that finds lock-order inversions: ``-p tests.faults.lockwatch`` on PostgreSQL.

The system's lock order ends with the audit chain head. A transaction that locks another row
(``SELECT … FOR UPDATE``, ``UPDATE``, ``DELETE``) after it has taken the chain head can deadlock
with one that holds that row and waits for the head. This plugin watches every statement and
prints, at the end of the run, each place where that happens (the service frame that took the
head and the one that locked afterwards). Rows created in the same transaction are reported too:
read the list, not just its length.
"""

import re
import traceback
from collections import Counter

import pytest
from django.db import connection

_LOCKING = re.compile(r'^\s*(UPDATE "(?P<u>\w+)"|DELETE FROM "(?P<d>\w+)")|FOR UPDATE', re.S)
_FROM = re.compile(r'FROM "(\w+)"')
_SKIP_TABLES = {"audit_chainhead", "audit_auditevent"}
findings: Counter = Counter()


def _site() -> str:
    for frame in reversed(traceback.extract_stack()[:-3]):
        path = frame.filename
        if (
            "/site-packages/" in path
            or "/tests/" in path
            or "lockwatch" in path
            or "solidarity/audit/" in path
        ):
            continue
        return f"{path.split('/faults/')[-1]}:{frame.lineno} {frame.name}"
    return "?"


def _transaction_key():
    for block in connection.atomic_blocks:
        if not getattr(block, "_from_testcase", False):
            return id(block)
    return None


class _Watch:
    def __init__(self):
        self.key = None
        self.head_site = None
        self.before: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        key = _transaction_key()
        if key is None or key != self.key:
            self.key, self.head_site, self.before = key, None, set()
        match = _LOCKING.search(sql)
        if match and key is not None:
            table = match.group("u") or match.group("d") or (_FROM.findall(sql) or ["?"])[0]
            if table == "audit_chainhead" and "FOR UPDATE" in sql and self.head_site is None:
                self.head_site = _site()
            elif self.head_site and table not in _SKIP_TABLES:
                # A table locked before the head in this transaction most likely holds the row
                # already (no new lock); a table locked first after the head is an inversion.
                kind = "held?" if table in self.before else "NEW"
                findings[(kind, self.head_site, f"{table} at {_site()}")] += 1
            elif not self.head_site:
                self.before.add(table)
        return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def _lockwatch(request):
    if "django_db_setup" not in request.fixturenames:
        yield
        return
    with connection.execute_wrapper(_Watch()):
        yield


def pytest_terminal_summary(terminalreporter):
    terminalreporter.section("rows locked after the audit chain head")
    for (kind, head, late), n in sorted(findings.items()):
        terminalreporter.write_line(f"{kind:5s} {n:4d}  head: {head}\n           then: {late}")
