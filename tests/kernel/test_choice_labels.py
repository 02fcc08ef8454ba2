"""Every model's ``get_<field>_display`` answers what Django's own method answers, in every
language, for every choice, an unknown value and an empty one (see solidarity/choices.py)."""

from django.apps import apps
from django.db.models import Model
from django.utils import translation

from solidarity import choices


def _fields_with_choices():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            if field.choices:
                yield model, field


def test_the_fast_labels_are_installed_on_the_project_models():
    replaced = {
        (model._meta.label, field.name)
        for model, field in _fields_with_choices()
        if getattr(model.__dict__.get(f"get_{field.name}_display"), "__module__", "")
        == choices.__name__
    }
    assert ("applications.Application", "state") in replaced
    assert ("benefits.BenefitAgreement", "kind") in replaced
    assert len(replaced) > 20


def test_labels_match_djangos_in_every_language():
    checked = 0
    for model, field in _fields_with_choices():
        method = getattr(model, f"get_{field.name}_display")
        values = [value for value, _label in field.flatchoices]
        for value in [*values, "no-such-value", None]:
            instance = model()
            setattr(instance, field.attname, value)
            for language in ("en", "fr", "de"):
                with translation.override(language):
                    expected = Model._get_FIELD_display(instance, field)
                    assert method(instance) == expected, (model, field.name, value, language)
                    checked += 1
    assert checked > 500


def test_a_label_follows_the_active_language():
    from applications.models import Application, ApplicationState

    application = Application(state=ApplicationState.SUBMITTED)
    with translation.override("en"):
        english = application.get_state_display()
    with translation.override("fr"):
        french = application.get_state_display()
    assert english == "Submitted" and french != english
