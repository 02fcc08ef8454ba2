from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.DatasetListView.as_view(), name="dataset-list"),
    path("new/", views.DatasetCreateView.as_view(), name="dataset-create"),
    path("<int:pk>/", views.DatasetDetailView.as_view(), name="dataset-detail"),
    path("<int:pk>/edit/", views.DatasetUpdateView.as_view(), name="dataset-update"),
]
