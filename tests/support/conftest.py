"""Role fixtures live in tests/conftest.py (the billing back-office tests use them too)."""
