"""The store's staff pages, mounted by vouch/urls.py in the back-office (namespace "backoffice", /<lang>/review/)."""

from django.urls import path

from billing.backoffice import ledger_views, views

urlpatterns = [
    path("tax-exemptions/", views.tax_exemption_queue, name="tax_exemptions"),
    path("tax-exemptions/<int:pk>/", views.tax_exemption_detail, name="tax_exemption"),
    path("tax-exemptions/<int:pk>/approve/", views.tax_exemption_approve_view, name="tax_exemption_approve"),
    path("tax-exemptions/<int:pk>/reject/", views.tax_exemption_reject_view, name="tax_exemption_reject"),
    path("tax-exemptions/<int:pk>/document/", views.tax_exemption_document, name="tax_exemption_document"),
    # Invoices, subscriptions and customer accounts (billing/backoffice/ledger_views.py): billing agents.
    path("billing/", ledger_views.invoices, name="billing_invoices"),
    path("billing/invoices/<str:number>/", ledger_views.invoice, name="billing_invoice"),
    path("billing/invoices/<str:number>/paid/", ledger_views.invoice_paid, name="billing_invoice_paid"),
    path("billing/invoices/<str:number>/void/", ledger_views.invoice_void_view, name="billing_invoice_void"),
    path("billing/subscriptions/", ledger_views.subscriptions, name="billing_subscriptions"),
    path("billing/accounts/", ledger_views.accounts, name="billing_accounts"),
    path("billing/accounts/<int:pk>/", ledger_views.account, name="billing_account"),
]
