import io
import json

import pytest
from pypdf import PdfReader

from solidarity.pdf import StaticOnlyFetcher, render_pdf


@pytest.fixture
def hostile_template(tmp_path, settings):
    """A report whose 'user text' tries to load remote and local files."""
    templates = tmp_path / "templates" / "reports"
    templates.mkdir(parents=True)
    (templates / "hostile.html").write_text(
        '{% extends "reports/base.html" %}{% block body %}'
        '<section id="s1"><h2>Section one</h2><p>{{ user_text|safe }}</p></section>'
        "{% endblock %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return "reports/hostile.html"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_report_refuses_every_url_but_our_static_files(hostile_template):
    user_text = (
        '<img src="http://127.0.0.1:9/tracker.png">'
        '<img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="https://example.org/evil.css">'
        '<img src="/static/../../solidarity/settings.py">'
        "Plain words survive."
    )
    report = render_pdf(
        template=hostile_template,
        context={
            "report_title": "Hostile",
            "sections": [{"id": "s1", "title": "Section one"}],
            "user_text": user_text,
        },
    )
    assert "http://127.0.0.1:9/tracker.png" in report.refused_urls
    assert "file:///etc/passwd" in report.refused_urls
    assert "https://example.org/evil.css" in report.refused_urls
    assert not any(url.endswith("report.css") for url in report.refused_urls)
    text = _text(report.pdf)
    assert "Plain words survive." in text
    assert "root:" not in text


def test_fetcher_serves_static_files_only():
    fetcher = StaticOnlyFetcher()
    response = fetcher("https://solidarity.invalid/static/css/report.css")
    assert b"@page" in response.read()
    for url in [
        "https://solidarity.invalid/static/../manage.py",
        "https://solidarity.invalid/media/applications/1/abc",
        "file:///work/main/static/css/report.css",
        "data:text/plain,hello",
    ]:
        with pytest.raises(ValueError):
            fetcher(url)


def test_archival_variant_embeds_the_data(hostile_template):
    report = render_pdf(
        template=hostile_template,
        context={"report_title": "Archive", "sections": [], "user_text": "x"},
        archival=True,
        data={"facts": [1, 2, 3]},
    )
    reader = PdfReader(io.BytesIO(report.pdf))
    attachments = reader.attachments
    assert json.loads(attachments["report-data.json"][0]) == {"facts": [1, 2, 3]}
    metadata = reader.xmp_metadata
    assert metadata is not None and "pdfaid" in str(
        reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    )
