"""Plain form widgets written in Python, with the exact HTML of Django's widget templates.

A list page's filter form is drawn on every request. Django draws each widget through its
template engine: a ``<select>`` includes ``select_option.html`` and ``attrs.html`` once per
option, so a drop-down of 40 datasets costs more than the 25 rows of the list under it.
``PlainWidgetRenderer`` writes the inputs and the selects directly (same markup, same escaping:
``tests/kernel/test_widget_render.py`` compares every case with Django's templates) and hands
every other widget to the templates. A form opts in with ``default_renderer``.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

_WIDGETS = "django/forms/widgets/"
# Widgets whose template is only ``{% include "django/forms/widgets/input.html" %}``.
_INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "search",
        "tel",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "color",
    )
)
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless already safe."""
    text = str(value)
    # As the filter does: text from safe text stays safe (not escaped twice).
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308


def _shown(value) -> str:
    """``{{ value }}``: localised, as text, escaped unless already safe."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_shown(name)}")
        else:
            out.append(f' {_shown(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{_shown(widget["type"])}" '
        f'name="{_shown(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _select(widget: dict) -> str | None:
    out = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None  # a custom option template: let the engine draw the widget
            # select_option.html ends with a line break, kept by the include.
            out.append(
                f'\n  <option value="{_formatted(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_shown(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class PlainWidgetRenderer(DjangoTemplates):
    """Django's template renderer, but inputs and selects are written in Python."""

    def render(self, template_name, context, request=None):
        if template_name in _INPUTS:
            return _input(context["widget"])
        if template_name == _SELECT:
            html = _select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)


# One instance: a renderer builds its template engine once (a form given the class would
# build a new engine, and read the fall-back templates again, on every request).
PLAIN_RENDERER = PlainWidgetRenderer()
