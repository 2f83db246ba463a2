from django.urls import path

from programs import views

app_name = "programs"
urlpatterns = [
    path("<slug:slug>/rules/", views.rules_page, name="rules"),
    path("<slug:slug>/faq/", views.faq_page, name="faq"),
]
