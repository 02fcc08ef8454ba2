from django.utils.functional import SimpleLazyObject

from .selectors import unread_count_cached


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count_cached(user))}
