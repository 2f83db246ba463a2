"""The store's staff pages, mounted by vouch/urls.py in the back-office (namespace "backoffice", /<lang>/review/)."""

from django.urls import path

from billing.backoffice import views

urlpatterns = [
    path("tax-exemptions/", views.tax_exemption_queue, name="tax_exemptions"),
    path("tax-exemptions/<int:pk>/", views.tax_exemption_detail, name="tax_exemption"),
    path("tax-exemptions/<int:pk>/approve/", views.tax_exemption_approve_view, name="tax_exemption_approve"),
    path("tax-exemptions/<int:pk>/reject/", views.tax_exemption_reject_view, name="tax_exemption_reject"),
    path("tax-exemptions/<int:pk>/document/", views.tax_exemption_document, name="tax_exemption_document"),
]
