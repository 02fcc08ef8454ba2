from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.my_assignments, name="assignments"),
    path("history/", views.history, name="history"),
    path("committee/", views.queue, name="queue"),
    path("framework/", views.framework, name="framework"),
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
