"""The store's pages, mounted by vouch/urls.py under /<lang>/store/ (inside i18n_patterns)."""

from django.urls import path

from billing.views import accounts, catalog, store
from billing.views import tax as tax_views

app_name = "billing"
urlpatterns = [
    path("plans/", catalog.plans_page, name="plans"),
    path("sign-up/", accounts.sign_up, name="sign_up"),
    path("sign-up/done/", accounts.sign_up_done, name="sign_up_done"),
    path("verify/<str:token>/", accounts.verify_email, name="verify_email"),
    path("sign-in/", accounts.sign_in, name="sign_in"),
    path("sign-out/", accounts.sign_out, name="sign_out"),
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path("password-reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/complete/", accounts.password_reset_complete, name="password_reset_complete"),
    path("account/", accounts.account_page, name="account"),
    path("account/verify/resend/", accounts.verify_email_resend, name="verify_email_resend"),
    # Checkout, subscriptions and invoices (billing/views/store.py)
    path("checkout/", store.checkout, name="store_checkout"),
    path("subscriptions/", store.subscriptions, name="store_subscriptions"),
    path("subscriptions/<int:subscription_id>/", store.subscription_detail, name="store_subscription"),
    path(
        "subscriptions/<int:subscription_id>/licences/",
        store.subscription_licences_add,
        name="store_subscription_licences",
    ),
    path("subscriptions/<int:subscription_id>/plan/", store.subscription_plan_change, name="store_subscription_plan"),
    path(
        "subscriptions/<int:subscription_id>/cancel/", store.subscription_cancel_view, name="store_subscription_cancel"
    ),
    path("invoices/", store.invoices, name="store_invoices"),
    path("invoices/<str:number>/", store.invoice_detail, name="store_invoice"),
    path("invoices/<str:number>/pdf/", store.invoice_pdf_view, name="store_invoice_pdf"),
    # Sales-tax exemption (billing/views/tax.py)
    path("tax-exemption/", tax_views.tax_exemptions_page, name="tax_exemptions"),
    path(
        "subscriptions/<int:subscription_id>/coupon/",
        store.subscription_coupon_attach_view,
        name="store_subscription_coupon",
    ),
]
