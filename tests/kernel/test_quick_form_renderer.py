"""The quick form renderer writes exactly what Django's templates write, for every widget it
knows; anything else still goes through the templates."""

import pytest
from django import forms
from django.forms.renderers import get_default_renderer

from solidarity.form_renderer import QUICK_RENDERER
from tests.factories import DatasetFactory


class EveryWidget(forms.Form):
    text = forms.CharField(label="Text <b>&", max_length=20, help_text="help")
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    number = forms.IntegerField(required=False, min_value=1)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    flag = forms.BooleanField(required=False)
    choice = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), ("a", "A & <a>"), ("Group", [("g1", "G1"), ("g2", "G2")])],
    )
    radio = forms.ChoiceField(
        required=False, choices=[("x", "X"), ("y", 'Y "quoted"')], widget=forms.RadioSelect
    )
    grouped_radio = forms.ChoiceField(
        required=False,
        choices=[("Group", [("p", "P"), ("q", "Q")]), ("r", "R")],
        widget=forms.RadioSelect(attrs={"class": "inline"}),
    )
    many = forms.MultipleChoiceField(
        required=False, choices=[("m", "M"), ("n", "N")], widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(required=False, widget=forms.Textarea)  # left to the templates


def _as(renderer, form_class, *args, **kwargs):
    form = form_class(*args, renderer=renderer, **kwargs)
    form.is_valid()
    parts = []
    for field in form:
        parts.append(str(field))
        parts.append(str(field.errors))
        parts.extend(
            f"{w.tag()}|{w.tag(wrap_label=True)}|{w.id_for_label}"
            for w in field.subwidgets
            if "label" in w.data
        )
    parts.append(str(form.non_field_errors()))
    parts.append(str(form))
    return parts


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "text": 'a "quoted" <value> & more',
            "search": "x",
            "number": "0",
            "when": "2026-13-01",
            "email": "nope",
            "hidden": "h",
            "flag": "on",
            "choice": "g2",
            "radio": "y",
            "grouped_radio": "q",
            "many": ["m", "n"],
            "note": "line\nline",
        },
    ],
)
def test_every_widget_is_written_as_the_templates_write_it(data):
    assert _as(QUICK_RENDERER, EveryWidget, data) == _as(get_default_renderer(), EveryWidget, data)


@pytest.mark.django_db
def test_the_list_pages_filter_forms_are_written_as_before(organisation):
    from benefits.forms import FundFilterForm
    from harms.case_views import BulkForm
    from harms.forms import QueueFilterForm

    dataset = DatasetFactory(custodian=organisation, title="Births & <deaths>")
    for form_class, data, kwargs in [
        (QueueFilterForm, None, {}),
        (QueueFilterForm, {"state": "received", "dataset": str(dataset.pk), "overdue": "on"}, {}),
        (QueueFilterForm, {"dataset": "999999", "project": "DSA-0"}, {}),
        (BulkForm, None, {"prefix": "bulk"}),
        (BulkForm, {"bulk-action": "triage"}, {"prefix": "bulk"}),
        (FundFilterForm, None, {"source_types": ["harm_redress", "x&y"]}),
        (FundFilterForm, {"date_from": "nope", "kind": "zzz"}, {"source_types": ["a"]}),
    ]:
        quick = _as(QUICK_RENDERER, form_class, data, **kwargs)
        assert quick == _as(get_default_renderer(), form_class, data, **kwargs)
        assert form_class(data, **kwargs).renderer is QUICK_RENDERER
