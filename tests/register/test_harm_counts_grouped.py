"""The register's harm statistics are counted in SQL: the database hands over one row per
group (kinds, state, quarter), not one row per report, so the public register's cost does not
grow with the number of reports."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from harms.selectors import harm_counts
from tests.harms.factories import make_report


def test_counts_come_grouped_from_the_database(db):
    for _ in range(7):
        make_report(categories=["privacy_breach"])
    for _ in range(5):
        make_report(categories=["privacy_breach", "financial"])
    with CaptureQueriesContext(connection) as ctx:
        counts = harm_counts()
    assert len(ctx.captured_queries) == 1
    assert "GROUP BY" in ctx.captured_queries[0]["sql"]
    assert counts["total"] == 12
    by_category = {key: n for key, _label, n in counts["by_category"]}
    assert by_category["privacy_breach"] == 12 and by_category["financial"] == 5
    assert sum(n for _y, _q, n in counts["by_quarter"]) == 12
    assert sum(n for _k, _l, n in counts["by_state"]) == 12
    # Two groups of reports: the database returns two rows, not twelve.
    with connection.cursor() as cursor:
        cursor.execute(ctx.captured_queries[0]["sql"])
        assert len(cursor.fetchall()) == 2
