"""What a browser asks for on every page answers without a CSP violation or a 404."""

import json
import re

from django.contrib.staticfiles import finders


def test_htmx_is_told_not_to_inject_inline_styles(client, db):
    page = client.get("/").content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert match, "no htmx-config meta"
    assert json.loads(match.group(1))["includeIndicatorStyles"] is False
    assert "'unsafe-inline'" not in client.get("/")["Content-Security-Policy"]


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    # Temporary: with hashed static names the icon's address changes with its content.
    assert response.status_code == 302
    assert response.url.endswith("favicon.svg")
    assert finders.find("favicon.svg")
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page
