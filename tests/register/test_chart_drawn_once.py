"""The register's harm-trend chart is drawn once per (published counts, language), not on
every request, and follows both: new counts or another language give a new drawing."""

import pytest

from solidarity.register import fund
from tests.harms.factories import make_report


@pytest.fixture
def drawings(monkeypatch):
    fund._quarter_chart.cache_clear()
    calls = []
    original = fund._accessible_svg

    def counting(chart, chart_id, title, description):
        calls.append((chart_id, str(title)))
        return original(chart, chart_id, title, description)

    monkeypatch.setattr(fund, "_accessible_svg", counting)
    yield calls
    fund._quarter_chart.cache_clear()


def test_the_chart_is_drawn_once_for_the_same_counts(client, db, drawings):
    for _ in range(6):
        make_report(categories=["privacy_breach"])
    first = client.get("/register/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    second = client.get("/register/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="harm-trend"' in first
    assert first.count('id="harm-trend"') == second.count('id="harm-trend"') == 1
    assert len(drawings) == 1
    make_report(categories=["privacy_breach"])  # 7 now: a new drawing
    third = client.get("/register/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert len(drawings) == 2
    assert "7 reports" in third and "7 reports" not in first


def test_each_language_has_its_own_drawing(client, db, drawings):
    for _ in range(6):
        make_report(categories=["privacy_breach"])
    english = client.get("/register/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get("/register/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert len(drawings) == 2
    assert "Harm reports received, quarter by quarter" in english
    assert "Harm reports received, quarter by quarter" not in french
