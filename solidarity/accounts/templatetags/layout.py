"""The page layout's fixed parts, rendered once per language and role set per process.

Every signed-in page repeats the same menu and language switcher; rendering them costs a
dozen ``{% url %}`` and ``{% translate %}`` each time. ``{% per_language_and_roles "name" %}
… {% end_per_language_and_roles %}`` renders its content once for each (language, role set,
URL prefix) and reuses the HTML. Its content may depend on nothing else: no CSRF token, no
path, no name, no count (those stay outside the block).
"""

from django import template
from django.urls import get_script_prefix
from django.utils import translation

from solidarity.accounts.roles import user_roles

register = template.Library()

# (name, language, roles or None when signed out, prefix) → HTML; a few dozen entries at most.
_rendered: dict[tuple, str] = {}
_MAX_ENTRIES = 2000


class PerLanguageAndRolesNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        user = context.get("user")
        roles = frozenset(user_roles(user)) if getattr(user, "is_authenticated", False) else None
        key = (self.name, translation.get_language(), roles, get_script_prefix())
        html = _rendered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_rendered) >= _MAX_ENTRIES:
                _rendered.clear()
            _rendered[key] = html
        return html  # a SafeString: NodeList.render marks its output safe


@register.tag
def per_language_and_roles(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(f'Use {{% {bits[0]} "name" %}}.')
    nodelist = parser.parse(("end_per_language_and_roles",))
    parser.delete_first_token()
    return PerLanguageAndRolesNode(bits[1][1:-1], nodelist)
