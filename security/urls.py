"""Staff two-factor pages, mounted under /<lang>/review/two-factor/ (vouch/urls.py)."""

from django.urls import path

from security import views

app_name = "security"
urlpatterns = [
    path("", views.two_factor, name="two_factor"),
]
