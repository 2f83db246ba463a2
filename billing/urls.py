"""The store's pages, mounted by vouch/urls.py under /<lang>/store/ (inside i18n_patterns)."""

from django.urls import path

from billing.views import accounts, catalog

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
]
