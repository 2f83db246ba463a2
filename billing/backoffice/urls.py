from django.urls import path

from billing.backoffice import views

app_name = "billing_backoffice"
urlpatterns = [
    path("", views.invoices, name="invoices"),
    path("invoices/<str:number>/", views.invoice, name="invoice"),
    path("invoices/<str:number>/paid/", views.invoice_paid, name="invoice_paid"),
    path("invoices/<str:number>/void/", views.invoice_void_view, name="invoice_void"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:pk>/", views.account, name="account"),
]
