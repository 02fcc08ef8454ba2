"""The browsable API of development (``DEBUG`` only; production answers JSON alone).

Its own module, not ``solidarity.api``: DRF reads ``DEFAULT_RENDERER_CLASSES`` while
``rest_framework.views`` is first imported, which ``solidarity.api`` itself does, so a renderer
defined there is looked up before it exists when the pagination check imports that module first.
"""

from rest_framework.renderers import BrowsableAPIRenderer as _BrowsableAPIRenderer


class BrowsableAPIRenderer(_BrowsableAPIRenderer):
    """The browsable API of development, without HTML forms or filter forms.

    DRF's HTML forms and django-filter's filter form draw a drop-down for every related field
    from the field's whole queryset, so they would list objects (application titles, users)
    the viewer may not see. The raw JSON form stays; nothing else is offered.
    """

    def get_rendered_html_form(self, data, view, method, request):
        if method in ("DELETE", "OPTIONS"):
            return super().get_rendered_html_form(data, view, method, request)
        return None

    def get_filter_form(self, data, view, request):
        return None
