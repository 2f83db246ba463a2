"""The reviewer's pages, mounted by vouch/urls.py in the back-office (namespace "backoffice", /<lang>/review/),
beside the store's staff pages, the partners' and the webhooks'."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from verification.backoffice import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="backoffice/login.html", next_page=reverse_lazy("backoffice:queue")),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("backoffice:login")), name="logout"),
    path("", views.queue, name="queue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("applications/<str:reference>/", views.application_detail, name="application"),
    path("applications/<str:reference>/approve/", views.approve, name="approve"),
    path("applications/<str:reference>/reject/", views.reject, name="reject"),
    path("applications/<str:reference>/request-information/", views.request_information, name="request_information"),
    path("applications/<str:reference>/assign/", views.assign, name="assign"),
    path("documents/<int:pk>/", views.document_view, name="document"),
]
