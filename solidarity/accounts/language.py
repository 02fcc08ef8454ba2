"""Each person's language: the preference on the account, used by pages, notifications and e-mail.

A blank preference means "the browser's"; the first sign-in records the browser's language, so
e-mail sent while the person is away is in the language they used. The header's language switcher
writes the preference for a signed-in person (``set_language`` below).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from solidarity.audit import services as audit
from solidarity.errors import DomainError, PermissionDenied

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def language_of(user) -> str:
    """The language to write to ``user`` in: their preference, else the site's default."""
    code = getattr(user, "language", "") or ""
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def user_language_set(*, actor, user, language: str) -> bool:
    """Set ``user``'s language preference ("" = the browser's); returns whether it changed.

    Preconditions: the actor is the user themselves (or the system, ``actor=None``); the code
    is one of ``settings.LANGUAGES`` or blank. Side effects: audit ``account.language_set``.
    """
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied("Only the person themselves may choose their language.")
    if language not in ("", *LANGUAGE_CODES):
        raise DomainError(
            _("Unknown language."), field_errors={"language": [_("Unknown language.")]}
        )
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        if locked.language == language:
            return False
        before = locked.language
        locked.language = language
        locked.save(update_fields=["language"])
        user.language = language
        audit.record(
            actor=actor,
            action="account.language_set",
            target=locked,
            payload={"from": before, "to": language},
        )
    return True


def note_sign_in_language(request, user) -> None:
    """At sign-in: a blank preference takes the browser's language; a set one is activated."""
    if not getattr(user, "pk", None):
        return
    said = getattr(request, "COOKIES", {}).get(settings.LANGUAGE_COOKIE_NAME) or getattr(
        request, "META", {}
    ).get("HTTP_ACCEPT_LANGUAGE")
    if not user.language and said:
        # Only a browser that named a language sets the preference; otherwise it stays blank.
        browser = translation.get_language_from_request(request)
        code = translation.get_supported_language_variant(browser)
        if code in LANGUAGE_CODES:
            user_language_set(actor=user, user=user, language=code)
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


class UserLanguageMiddleware:
    """Pages for a signed-in person in their chosen language (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        code = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if code in LANGUAGE_CODES:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)


def set_language(request):
    """Django's language switcher, which also keeps a signed-in person's choice on the account."""
    response = django_set_language(request)
    code = request.POST.get("language", "") if request.method == "POST" else ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and code in LANGUAGE_CODES:
        user_language_set(actor=user, user=user, language=code)
    return response
