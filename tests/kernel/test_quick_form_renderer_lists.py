"""The quick form renderer gives the very HTML of Django's widget templates: every input, selects
with groups, safe and unsafe labels, bound and invalid data, and the list pages' own forms."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import override

from solidarity.form_renderer import QuickRenderer


class _Everything(forms.Form):
    text = forms.CharField(max_length=20, required=False)
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    number = forms.IntegerField(min_value=0, max_value=36500, required=False)
    amount = forms.DecimalField(required=False)
    email = forms.EmailField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    when = forms.DateTimeField(required=False)
    flags = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True, "disabled": False, "data-x": '"<&>'}),
    )
    choice = forms.ChoiceField(
        required=False,
        choices=[("", _lazy("Any")), ("a&b", "A & B"), (3, 3), ("s", mark_safe("<b>safe</b>"))],
    )
    grouped = forms.ChoiceField(
        choices=[("", "—"), (_lazy("Group <one>"), [("x", "X"), ("y", "Y")]), ("z", "Z")]
    )
    many = forms.MultipleChoiceField(required=False, choices=[("1", "One"), ("2", "Two")])
    big = forms.TypedChoiceField(required=False, coerce=int, choices=[(1234567, 1234567)])


def _both(form) -> tuple[list[str], list[str]]:
    plain = [str(bound) for bound in form]
    form.renderer = DjangoTemplates()
    templated = [str(bound) for bound in form]
    return plain, templated


DATA = [
    None,
    {},
    {
        "text": 'quote " and <tag> & amp',
        "search": "x" * 30,
        "number": "-3",
        "amount": "12.50",
        "email": "not an email",
        "hidden": "h'v",
        "password": "secret",
        "day": "2026-02-30",
        "when": "2026-01-02 03:04",
        "flags": "f",
        "choice": "a&b",
        "grouped": "y",
        "many": ["1", "2"],
        "big": "1234567",
    },
    {"choice": "3", "grouped": "z", "many": ["2"], "day": "2026-12-01", "number": "12"},
]


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_plain_widget_matches_the_templates(data, language):
    initial = {"day": datetime.date(2026, 12, 1), "when": datetime.datetime(2026, 12, 1, 9, 30)}
    with override(language):
        form = _Everything(data, initial=initial, renderer=QuickRenderer())
        if data is not None:
            form.is_valid()
        plain, templated = _both(form)
    assert plain == templated


@pytest.mark.django_db
def test_the_list_filter_forms_match_the_templates(django_user_model):
    from applications.forms import QueueFilterForm, RequestFilterForm
    from reviews.forms import AssignmentForm
    from reviews.forms import QueueFilterForm as CommitteeFilterForm
    from tests.factories import DatasetFactory, UserFactory

    DatasetFactory(title="Births & <deaths>")
    DatasetFactory(title="Cancer registry")
    UserFactory(roles=["reviewer"], first_name="Zoë", last_name="O'Neil")
    for form in [
        QueueFilterForm(),
        QueueFilterForm({"state": "all", "q": "x<y", "older_than": "abc", "sort": "title"}),
        RequestFilterForm({"state": "pending"}),
        CommitteeFilterForm({"use_type": "nope"}),
        AssignmentForm(prefix="bulk"),
    ]:
        assert isinstance(form.renderer, QuickRenderer)
        form.is_valid()
        plain, templated = _both(form)
        assert plain == templated


def test_other_widgets_still_use_their_templates():
    class Other(forms.Form):
        body = forms.CharField(widget=forms.Textarea)
        agree = forms.BooleanField()
        pick = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    form = Other(renderer=QuickRenderer())
    plain, templated = _both(form)
    assert plain == templated
