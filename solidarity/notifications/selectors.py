from solidarity.held_cache import forget, read_through

from .models import Notification


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _unread_key(user_id) -> str:
    return f"notifications:unread:{user_id}"


def unread_count_cached(user) -> int:
    """The header's badge: ``unread_count`` kept in the shared cache until a notification of
    the user is written, read or deleted (``forget_unread``)."""
    return read_through(_unread_key(user.pk), lambda: unread_count(user))


def forget_unread(user_ids) -> None:
    forget(_unread_key(pk) for pk in user_ids if pk is not None)


def inbox(user):
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient=user).only(
        "id", "kind", "subject", "body", "url", "created_at", "read_at", "recipient_id"
    )
