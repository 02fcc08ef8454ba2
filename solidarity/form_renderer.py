"""A form renderer that writes Django's standard widgets in Python.

Django renders every widget, every option of a drop-down and every (empty) error list through
a template: a filter form with a fifty-dataset drop-down costs fifty ``{% include %}``\\ s, and a
list page renders its filter form on every request. ``QuickRenderer`` writes the same HTML as
Django's templates (``django/forms/widgets/*.html``, ``django/forms/errors/list/ul.html``),
byte for byte, for the widgets whose template it knows; any other template goes to Django's
default renderer. ``tests/kernel/test_quick_form_renderer.py`` compares the two.

Use it on a form with ``default_renderer = QUICK_RENDERER`` (one shared instance: the default
renderer keeps its template engine).
"""

import html

from django.forms.models import ModelChoiceIterator
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.formats import localize

_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "search",
        "number",
        "email",
        "url",
        "tel",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "color",
        "checkbox",
    )
)
_OPTION_INPUT_TEMPLATES = frozenset(
    {
        "django/forms/widgets/input_option.html",
        "django/forms/widgets/radio_option.html",
        "django/forms/widgets/checkbox_option.html",
    }
)
_MULTIPLE_INPUT_TEMPLATES = frozenset(
    {
        "django/forms/widgets/multiple_input.html",
        "django/forms/widgets/radio.html",
        "django/forms/widgets/checkbox_select.html",
    }
)
_ERROR_LIST_TEMPLATES = frozenset(
    {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}
)
_SELECT_OPTION = "django/forms/widgets/select_option.html"


class _Unknown(Exception):
    """A template this renderer does not write itself (left to Django's renderer)."""


def _escape(value) -> str:
    """``conditional_escape`` without its lazy-argument wrapper: a safe value as it is, any
    other value escaped as Django's ``escape`` does (``html.escape``, quotes included)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _out(value) -> str:
    """``{{ value }}`` in a template: localised, then escaped unless already safe."""
    return _escape(value if isinstance(value, str) else localize(value))


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: no localisation; a safe value stays unescaped."""
    return _escape(value)


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(
                f" {_out(name)}" if value is True else f' {_out(name)}="{_formatted(value)}"'
            )
    return "".join(parts)


# Each function returns what its template file gives, trailing newline included (an included
# template keeps it; the renderer strips the outermost one, as Django's does).


def _input(widget: dict) -> str:
    """``input.html``."""
    value = widget["value"]
    return (
        f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"'
        + (f' value="{_formatted(value)}"' if value is not None else "")
        + f"{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict) -> str:
    """``input_option.html``."""
    if not widget.get("wrap_label"):
        return f"{_input(widget)}\n"
    element_id = widget["attrs"].get("id")
    label_for = f' for="{_out(element_id)}"' if element_id else ""
    return f"<label{label_for}>{_input(widget)} {_out(widget['label'])}</label>\n"


def _option(option: dict) -> str:
    """The option's own template (``select_option.html``, ``radio_option.html``, …)."""
    template = option.get("template_name")
    if template == _SELECT_OPTION:
        return (
            f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
            f"{_out(option['label'])}</option>\n"
        )
    if template == "django/forms/widgets/input_option.html":
        return _input_option(option)
    if template in _OPTION_INPUT_TEMPLATES:
        return f"{_input_option(option)}\n"
    raise _Unknown


def _select(widget: dict) -> str:
    """``select.html``."""
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        parts.extend(f"\n  {_option(option)}" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _multiple_input(widget: dict) -> str:
    """``multiple_input.html``."""
    element_id = widget["attrs"].get("id")
    css_class = widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{_out(element_id)}"' if element_id else "",
        f' class="{_out(css_class)}"' if css_class else "",
        ">",
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_out(group)}</label>")
        parts.extend(f"<div>\n    {_option(option)}</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _error_list(context: dict) -> str:
    """``errors/list/ul.html``."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    id_attr = f' id="{_out(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_out(error)}</li>" for error in errors)
    return f'<ul class="{_out(context["error_class"])}"{id_attr}>{items}</ul>'


def _write(template_name: str, context: dict) -> str:
    if template_name == "django/forms/widgets/input.html":
        return _input(context["widget"])
    if template_name in _INPUT_TEMPLATES:  # ``{% include "…/input.html" %}`` and a newline
        return f"{_input(context['widget'])}\n"
    if template_name == "django/forms/widgets/select.html":
        return _select(context["widget"])
    if template_name == "django/forms/widgets/multiple_input.html":
        return _multiple_input(context["widget"])
    if template_name in _MULTIPLE_INPUT_TEMPLATES:
        return f"{_multiple_input(context['widget'])}\n"
    if template_name == "django/forms/widgets/input_option.html":
        return _input_option(context["widget"])
    if template_name in _OPTION_INPUT_TEMPLATES:
        return f"{_input_option(context['widget'])}\n"
    if template_name in _ERROR_LIST_TEMPLATES:
        return _error_list(context)
    raise _Unknown


class QuickRenderer(BaseRenderer):
    """Django's standard widgets and error lists written in Python (same HTML); every other
    template (the form's own layout, custom widgets) rendered by Django's default renderer."""

    @property
    def _fallback(self):
        return get_default_renderer()

    @property
    def form_template_name(self):
        return self._fallback.form_template_name

    @property
    def formset_template_name(self):
        return self._fallback.formset_template_name

    @property
    def field_template_name(self):
        return self._fallback.field_template_name

    def get_template(self, template_name):
        return self._fallback.get_template(template_name)

    def render(self, template_name, context, request=None):
        if request is None:
            try:
                # Like Django's renderers, a plain string: the widget or error list marks it
                # safe (every value in it is escaped here).
                return _write(template_name, context).strip()
            except (_Unknown, KeyError):
                pass
        return self._fallback.render(template_name, context, request=request)


QUICK_RENDERER = QuickRenderer()


class ListedChoiceIterator(ModelChoiceIterator):
    """A drop-down's choices read in one plain query: Django's iterator streams them through
    a server-side cursor (three round trips on PostgreSQL) to spare memory a short list of
    choices does not need."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)
