from django.urls import path

from . import meeting_views, views

app_name = "reviews"
urlpatterns = [
    path("", views.my_assignments, name="assignments"),
    path("history/", views.history, name="history"),
    path("committee/", views.queue, name="queue"),
    path("committee/assign/", views.queue_bulk_assign, name="queue-bulk-assign"),
    path("framework/", views.framework, name="framework"),
    path("late/", views.late_board, name="late"),
    path("late/<slug:key>/", views.late_list, name="late-list"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/pdf/", meeting_views.meeting_pdf, name="meeting-pdf"),
    path("meetings/<int:pk>/agenda/", meeting_views.meeting_agenda_add, name="meeting-agenda-add"),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/remove/",
        meeting_views.meeting_agenda_remove,
        name="meeting-agenda-remove",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/decision/",
        meeting_views.meeting_decision_link,
        name="meeting-decision-link",
    ),
    path(
        "meetings/<int:pk>/attendance/", meeting_views.meeting_attendance, name="meeting-attendance"
    ),
    path("meetings/<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/cancel/", meeting_views.meeting_cancel, name="meeting-cancel"),
    path("conditions/", views.conditions, name="conditions"),
    path("conditions/<int:pk>/", views.condition_detail, name="condition"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/assess/", views.assess, name="assess"),
    path("assignments/<int:pk>/risks/", views.risk_add, name="risk-add"),
    path("assignments/<int:pk>/risks/<int:risk_pk>/remove/", views.risk_remove, name="risk-remove"),
    path("assignments/<int:pk>/recuse/", views.recuse, name="recuse"),
    path("applications/<int:pk>/self-assessment/", views.self_assessment, name="self-assessment"),
    path("applications/<int:pk>/assign/", views.assign, name="assign"),
    path("applications/<int:pk>/committee/", views.committee, name="committee"),
    path("applications/<int:pk>/vote/", views.vote, name="vote"),
    path("applications/<int:pk>/classify/", views.classify, name="classify"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("applications/<int:pk>/quorum/", views.quorum, name="quorum"),
    path("applications/<int:pk>/conditions/", views.condition_add, name="condition-add"),
]
