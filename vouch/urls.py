from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from api.urls import api
from core import views as core_views
from verification.receipts import views as receipt_views

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path(".well-known/jwks.json", receipt_views.jwks, name="receipts_jwks"),
    path("receipts/status/<str:list_id>", receipt_views.status_list, name="receipts_status_list"),
]
urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("organisations/", include("registry.urls")),
    path("programs/", include("verification.urls")),
    path("review/", include("verification.backoffice.urls")),
    path("store/", include("billing.urls")),
    prefix_default_language=True,
)
