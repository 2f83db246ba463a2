from django.urls import path

from registry import views

app_name = "registry"
urlpatterns = [
    path("", views.organisation_search, name="search"),
    path("suggest/", views.organisation_suggest, name="suggest"),
    path("<str:org_id>/", views.organisation_detail, name="detail"),
]
