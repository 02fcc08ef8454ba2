from .models import Notification


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user):
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient=user).only(
        "id", "kind", "subject", "body", "url", "created_at", "read_at", "recipient_id"
    )
