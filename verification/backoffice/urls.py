from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from verification.backoffice import tax_views, views

app_name = "backoffice"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="backoffice/login.html",
                                                next_page=reverse_lazy("backoffice:queue")), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("backoffice:login")), name="logout"),
    path("", views.queue, name="queue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("applications/<str:reference>/", views.application_detail, name="application"),
    path("applications/<str:reference>/approve/", views.approve, name="approve"),
    path("applications/<str:reference>/reject/", views.reject, name="reject"),
    path("applications/<str:reference>/request-information/", views.request_information,
         name="request_information"),
    path("applications/<str:reference>/assign/", views.assign, name="assign"),
    path("documents/<int:pk>/", views.document_view, name="document"),
    # Sales-tax exemption review (verification/backoffice/tax_views.py)
    path("tax-exemptions/", tax_views.tax_exemption_queue, name="tax_exemptions"),
    path("tax-exemptions/<int:pk>/", tax_views.tax_exemption_detail, name="tax_exemption"),
    path("tax-exemptions/<int:pk>/approve/", tax_views.tax_exemption_approve_view, name="tax_exemption_approve"),
    path("tax-exemptions/<int:pk>/reject/", tax_views.tax_exemption_reject_view, name="tax_exemption_reject"),
    path("tax-exemptions/<int:pk>/document/", tax_views.tax_exemption_document, name="tax_exemption_document"),
    path("webhooks/", include("webhooks.urls")),
    path("partners/", include("partners.urls")),
]
