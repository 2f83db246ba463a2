"""Proofs that an applicant represents the organisation, gathered without a reviewer: control of a domain tied to
the organisation (domain.py), confirmation by the contact the register publishes (contact.py). docs/verification.md.
"""
