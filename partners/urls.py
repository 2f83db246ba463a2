"""Back-office pages for partners and their API keys, included under /<lang>/review/partners/
(namespace backoffice:partners)."""

from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="list"),
    path("new/", views.partner_new, name="new"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/keys/new/", views.key_new, name="key_new"),
    path("<int:pk>/keys/<int:key_pk>/revoke/", views.key_revoke, name="key_revoke"),
]
