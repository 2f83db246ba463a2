"""Verification services: every change to programs and applications goes through these functions.

Split by responsibility; import from here (`from verification.services import application_submit`).
"""

from verification.services.applications import (
    application_approve_automatically,
    application_checks_run,
    application_start,
    application_submit,
    reference_generate,
)
from verification.services.expiry import application_expire
from verification.services.review import (
    REJECTION_REASONS,
    appeal_submit,
    application_approve,
    application_assign,
    application_information_provided,
    application_reject,
    application_request_information,
    rejection_reason_choices,
)

__all__ = [
    "REJECTION_REASONS",
    "appeal_submit",
    "application_approve",
    "application_approve_automatically",
    "application_assign",
    "application_checks_run",
    "application_expire",
    "application_information_provided",
    "application_reject",
    "application_request_information",
    "application_start",
    "application_submit",
    "reference_generate",
    "rejection_reason_choices",
]
