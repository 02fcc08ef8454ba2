from django.urls import path

from . import views

app_name = "grants"
urlpatterns = [
    path("nodes/", views.node_list, name="node-list"),
    path("nodes/<int:pk>/", views.node_detail, name="node-detail"),
    path("nodes/<int:pk>/webhook/", views.node_webhook, name="node-webhook"),
    path("nodes/<int:pk>/revoke/", views.node_revoke, name="node-revoke"),
    path("projects/<int:pk>/", views.project_runs, name="project"),
    path("runs/<int:pk>/flag/", views.run_flag, name="run-flag"),
]
