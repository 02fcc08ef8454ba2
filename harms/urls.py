from django.urls import path

from . import case_views, views

app_name = "harms"
urlpatterns = [
    path("report/", views.ReportView.as_view(), name="report"),
    path("report/receipt/", views.receipt, name="receipt"),
    path("status/", views.StatusView.as_view(), name="status"),
    path("status/forget/", views.status_forget, name="status-forget"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("queue/bulk/", case_views.queue_bulk, name="queue-bulk"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path(
        "recommendations/<int:pk>/<str:decision>/",
        views.recommendation_decide,
        name="recommendation-decide",
    ),
    path("reviews/<int:pk>/close/", views.harm_review_close_view, name="harm-review-close"),
    path("redress/<int:pk>/", views.redress_detail, name="redress"),
    path("redress/<int:pk>/deliver/", views.redress_deliver, name="redress-deliver"),
    path("redress/<int:pk>/withdraw/", views.redress_withdraw, name="redress-withdraw"),
    path(
        "redress/<int:pk>/payment-details/",
        views.redress_payment_details,
        name="redress-payment-details",
    ),
    path(
        "redress/<int:pk>/<str:answer>/",
        views.redress_answer,
        name="redress-answer",
    ),
    path("incidents/", case_views.incidents, name="incidents"),
    path("incidents/<int:pk>/", case_views.incident, name="incident"),
    path(
        "incidents/<int:pk>/unlink/<int:report_pk>/",
        case_views.incident_unlink,
        name="incident-unlink",
    ),
    path("<int:pk>/assign-owner/", case_views.assign_owner, name="assign-owner"),
    path("<int:pk>/incident/", case_views.link_incident, name="link-incident"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/message/", views.message, name="message"),
    path("<int:pk>/appeal/", views.appeal, name="appeal"),
    path("<int:pk>/<str:action>/", views.OfficerActionView.as_view(), name="action"),
]
