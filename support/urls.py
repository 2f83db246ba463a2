from django.urls import path

from support import views

app_name = "support"
urlpatterns = [
    path("", views.search, name="search"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("applications/<str:reference>/", views.case, name="case"),
    path("applications/<str:reference>/revoke/", views.revoke, name="revoke"),
    path("applications/<str:reference>/reissue/", views.reissue, name="reissue"),
    path("applications/<str:reference>/extend/", views.extend, name="extend"),
    path("applications/<str:reference>/resend/", views.resend, name="resend"),
    path("cases/<int:pk>/close/", views.close_case, name="close_case"),
    path("not-me/<str:token>/", views.not_me, name="not_me"),
]
