from django.urls import path

from . import collaboration_views as collab
from . import views

app_name = "applications"
urlpatterns = [
    path("", views.my_applications, name="mine"),
    path("new/", views.CreateView.as_view(), name="create"),
    path("queue/", views.queue, name="queue"),
    path("requests/", views.custodian_requests, name="requests"),
    path("requests/<int:pk>/", views.DecideView.as_view(), name="decide"),
    path("invitations/<str:token>/", collab.invitation, name="invitation"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/members/invite/", collab.member_invite, name="member-invite"),
    path("<int:pk>/members/<int:member_pk>/revoke/", collab.member_revoke, name="member-revoke"),
    path("<int:pk>/members/<int:member_pk>/remove/", collab.member_remove, name="member-remove"),
    path("<int:pk>/messages/", collab.message_post, name="message-post"),
    path(
        "<int:pk>/messages/<int:message_pk>/files/<int:attachment_pk>/",
        collab.message_attachment,
        name="message-attachment",
    ),
    path("<int:pk>/edit/<slug:step>/", views.EditView.as_view(), name="edit"),
    path("<int:pk>/team/<int:item_pk>/remove/", views.team_remove, name="team-remove"),
    path("<int:pk>/datasets/<int:item_pk>/remove/", views.dataset_remove, name="dataset-remove"),
    path("<int:pk>/attachments/<int:item_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:item_pk>/remove/",
        views.attachment_remove,
        name="attachment-remove",
    ),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path(
        "<int:pk>/acknowledge-conflict/",
        views.acknowledge_conflict,
        name="acknowledge-conflict",
    ),
    path("<int:pk>/<slug:name>/", views.ActionView.as_view(), name="action"),
]
