"""The signed-in person and their roles: one cache read per request instead of two queries.

``AuthenticationMiddleware`` is Django's, except that the account and its role names come
from the shared cache (``solidarity.held_cache``). Every check Django makes still runs on
each request against what was read: the account is active, and the session's hash matches
the password and the "sign out everywhere" stamp. Whatever the account or its roles depend
on drops the cached copy at once (the signal handlers below): saving or deleting the user,
adding or removing a group on either side, renaming or deleting a group. So a role taken
away, a password changed, a deactivated account or a language chosen shows on the very
next request. Changes made with ``QuerySet.update()`` on users bypass the signals and must
call ``forget_users`` themselves.
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from solidarity.held_cache import forget, read_through

from .roles import user_roles


def _key(user_id) -> str:
    return f"account:{user_id}"


def _account(user_id):
    """(user, role names) for ``user_id``, or ``False`` for no such account."""
    UserModel = auth.get_user_model()

    def load():
        user = UserModel._default_manager.filter(pk=user_id).first()
        if user is None:
            return False
        return user, frozenset(user_roles(user))

    return read_through(_key(user_id), load)


def get_user(request):
    """``django.contrib.auth.get_user`` with the account and roles read through the cache."""
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = load_backend(backend_path)
    if type(backend) is not ModelBackend:
        return auth.get_user(request)
    found = _account(user_id)
    if not found:
        return AnonymousUser()
    user, roles = found
    user._role_cache = set(roles)
    if not backend.user_can_authenticate(user):
        return AnonymousUser()
    session_hash = request.session.get(HASH_SESSION_KEY)
    if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    # Not the current hash: Django's own path (fallback secrets, or the session ends).
    return auth.get_user(request)


class AuthenticationMiddleware(DjangoAuthentication):
    def process_request(self, request):
        super().process_request(request)

        def cached():
            if not hasattr(request, "_cached_user"):
                request._cached_user = get_user(request)
            return request._cached_user

        request.user = SimpleLazyObject(cached)


def forget_users(user_ids) -> None:
    forget(_key(pk) for pk in user_ids if pk is not None)


def _user_saved(sender, instance, **kwargs):
    forget_users([instance.pk])


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        forget_users([instance.pk])  # a user's groups
    elif action == "pre_clear":
        forget_users(instance.user_set.values_list("pk", flat=True))
    else:
        forget_users(pk_set or ())  # a group's users


def _group_changed(sender, instance, **kwargs):
    if instance.pk:
        forget_users(instance.user_set.values_list("pk", flat=True))


def connect() -> None:
    UserModel = auth.get_user_model()
    uid = "solidarity.accounts.session_user"
    post_save.connect(_user_saved, sender=UserModel, dispatch_uid=f"{uid}.saved")
    post_delete.connect(_user_saved, sender=UserModel, dispatch_uid=f"{uid}.deleted")
    m2m_changed.connect(_groups_changed, sender=UserModel.groups.through, dispatch_uid=f"{uid}.m2m")
    post_save.connect(_group_changed, sender=Group, dispatch_uid=f"{uid}.group_saved")
    pre_delete.connect(_group_changed, sender=Group, dispatch_uid=f"{uid}.group_deleted")
