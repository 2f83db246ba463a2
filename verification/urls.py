from django.urls import path

from verification.views import journey, proofs, status

app_name = "verification"
urlpatterns = [
    # Before "<slug>/": "status" is not a program.
    path("status/<str:token>/", status.status_page, name="status"),
    path("status/<str:token>/resume/", status.status_resume, name="status_resume"),
    path("status/<str:token>/documents/", status.status_documents, name="status_documents"),
    path("status/<str:token>/appeal/", status.status_appeal, name="status_appeal"),
    path("status/<str:token>/receipt/", proofs.status_receipt, name="status_receipt"),
    path("contact/<str:token>/", proofs.contact_answer, name="contact_answer"),
    path("<slug:slug>/", journey.program_page, name="program"),
    path("<slug:slug>/apply/organisation/manual/", journey.step_organisation_manual, name="organisation_manual"),
    path("<slug:slug>/apply/code/resend/", journey.resend_code, name="resend_code"),
    path("<slug:slug>/apply/domain/", proofs.step_domain, name="domain"),
    path("<slug:slug>/apply/contact/", proofs.contact_request, name="contact_request"),
    path("<slug:slug>/apply/receipt/", proofs.receipt_present_view, name="receipt_present"),
    path("<slug:slug>/apply/<str:step>/", journey.step_view, name="step"),
]
