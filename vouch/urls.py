"""Every URL of Vouch. The back-office (/<lang>/review/, namespace "backoffice") is composed here from each app's
staff pages, so that no app includes the pages of an app above it."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from api.urls import api
from billing.backoffice.urls import urlpatterns as billing_staff_urls
from partners.invite_views import invite_page
from verification.backoffice.urls import urlpatterns as review_urls
from verification.receipts import views as receipt_views
from vouch import views as vouch_views

backoffice = (
    [
        *review_urls,
        *billing_staff_urls,
        path("webhooks/", include("webhooks.urls")),
        path("partners/", include("partners.urls")),
    ],
    "backoffice",
)

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path(".well-known/jwks.json", receipt_views.jwks, name="receipts_jwks"),
    path("receipts/status/<str:list_id>", receipt_views.status_list, name="receipts_status_list"),
]
urlpatterns += i18n_patterns(
    path("", vouch_views.home, name="home"),
    path("organisations/", include("registry.urls")),
    # A partner's hosted invite (before "programs/<slug>/": "invite" is not a program).
    path("programs/invite/<str:token>/", invite_page, name="invite"),
    path("programs/", include("programs.urls")),  # a program's rules and FAQ (before the journey's "<slug>/…")
    path("programs/", include("verification.urls")),
    path("review/two-factor/", include("security.urls")),
    path("review/", include(backoffice)),
    path("store/", include("billing.urls")),
    path("support/", include("support.urls")),
    prefix_default_language=True,
)
