"""What each row of the committee queue, the reviewer's assignments and the conditions shows
(the rows are written once per page by the views)."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reviews import services

from . import factories


def test_committee_queue_rows(client, in_review, secretariat, chair, reviewer, other_reviewer):
    factories.assign(in_review, secretariat, reviewer)
    recused = factories.assign(in_review, secretariat, other_reviewer, role="lay")
    services.assignment_recuse(actor=other_reviewer, assignment=recused, details="My colleague.")
    committee = reverse("reviews:committee", args=[in_review.pk])
    assign = reverse("reviews:assign", args=[in_review.pk])
    for user in (chair, secretariat):
        client.force_login(user)
        body = client.get(reverse("reviews:queue")).content.decode()
        assert f"<td>{in_review.reference}: {in_review.title}</td>" in body
        assert "<td>In review</td>" in body
        assert "<td>2 (1 recused)</td>" in body
        assert f'<a href="{committee}">Committee view</a> · <a href="{assign}">' in body
        assert f'aria-label="Select {in_review.reference}"' in body


def test_my_assignment_rows(client, assignment, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("reviews:assignments")).content.decode()
    link = reverse("reviews:assignment", args=[assignment.pk])
    application = assignment.application
    assert f'<a href="{link}">{application.reference}: {application.title}</a>' in body
    assert f"<td>{assignment.get_role_display()}</td>" in body
    assert f"<td>{date_format(assignment.due_on, 'DATE_FORMAT')}</td>" in body
    assert f"<td>{assignment.get_state_display()}</td>" in body


def test_condition_rows(client, in_review, chair, secretariat, researcher):
    text = "Publish the code <and> the data " + "x" * 80
    condition = services.condition_add(
        actor=chair, application=in_review, text=text, due_on=factories.due(30)
    )
    client.force_login(secretariat)
    body = client.get(reverse("reviews:conditions")).content.decode()
    link = reverse("reviews:condition", args=[condition.pk])
    assert f'<a href="{link}">Publish the code &lt;and&gt; the data {"x" * 47}…</a>' in body
    owner = researcher.get_full_name() or researcher.username
    assert f"<td>{owner}</td>" in body
    assert f"<td>{date_format(condition.due_on, 'DATE_FORMAT')}</td>" in body
    assert "<td>Open" in body


# The committee queue's row as the template wrote it before the view wrote it in Python.
_TEMPLATE_ROW = (
    "{% load i18n %}{% for shown in rows %}{% with row=shown.row %}\n"
    '    <tr>{% if bulk_form %}<td><input type="checkbox" name="applications" '
    'value="{{ row.application.pk }}" form="bulk-assign" id="pick-{{ row.application.pk }}" '
    'aria-label="{{ shown.pick }}"></td>{% endif %}<td>{{ row.application.reference|default:"—" }}'
    ": {{ row.application.title }}</td>\n"
    "    <td>{{ shown.state }}</td>\n"
    "    <td>{{ row.assigned }}{% if row.recused %} ({{ shown.recused }}){% endif %}</td>\n"
    "    <td>{{ row.filed }}</td>\n"
    '    <td>{{ row.classification.effective_type|default:"—" }}'
    '{% if row.classification.is_overridden %} <span class="tag">{% translate '
    '"set by the chair" %}</span>{% endif %}</td>\n'
    '    <td><a href="{{ shown.committee_url }}">{% translate "Committee view" %}</a>'
    '{% if shown.assign_url %} · <a href="{{ shown.assign_url }}">{% translate '
    '"Assign reviewers" %}</a>{% endif %}</td></tr>\n'
    "  {% endwith %}{% endfor %}"
)


def _template_rows(*, bulk: bool, assign: bool) -> str:
    from django.template import Context, Template
    from django.utils.translation import ngettext

    from reviews.selectors import committee_queue
    from solidarity.listing import interpolate

    shown = []
    for row in committee_queue()[0:25]:
        application = row.application
        shown.append(
            {
                "row": row,
                "pick": interpolate(_("Select %(ref)s"), ref=application.reference),
                "state": application.get_state_display(),
                "recused": interpolate(
                    ngettext("%(n)s recused", "%(n)s recused", row.recused), n=row.recused
                ),
                "committee_url": reverse("reviews:committee", args=[application.pk]),
                "assign_url": reverse("reviews:assign", args=[application.pk]) if assign else "",
            }
        )
    return Template(_TEMPLATE_ROW).render(Context({"rows": shown, "bulk_form": bulk}))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_committee_queue_rows_are_what_the_template_wrote(
    client, researcher, secretariat, chair, reviewer, other_reviewer, framework, dataset, language
):
    """Rows with a chair's type over the reviewers' one, a recusal, a type computed from the
    filings, none at all, and a title with markup: the same bytes as the row template."""
    overridden = factories.in_review(
        researcher, secretariat, datasets=[dataset], title='Heat <waves> & "O\'Brien"'
    )
    first = factories.assign(overridden, secretariat, reviewer)
    factories.file_review(first, framework, benefit="high", safety="high")
    recused = factories.assign(overridden, secretariat, other_reviewer, role="lay")
    services.assignment_recuse(actor=other_reviewer, assignment=recused, details="A colleague.")
    services.classification_set(
        actor=chair, application=overridden, use_type="D", reason="Hidden risks."
    )
    computed = factories.in_review(researcher, secretariat, datasets=[dataset])
    factories.file_review(
        factories.assign(computed, secretariat, reviewer), framework, benefit="low", safety="high"
    )
    factories.in_review(researcher, secretariat, datasets=[dataset])
    for user, bulk, assign in ((chair, True, True), (secretariat, True, True)):
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
        body = client.get(reverse("reviews:queue"), HTTP_ACCEPT_LANGUAGE=language).content
        with translation.override(language):
            expected = _template_rows(bulk=bulk, assign=assign)
        assert expected.count("<tr>") == 3
        assert expected.encode() in body
        assert "O&#x27;Brien" in expected
        if language == "en":
            assert 'D <span class="tag">set by the chair</span>' in expected
