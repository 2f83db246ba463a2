"""Showing who without showing the whole address: `email_mask("director@example.org")` -> "d•••••r@example.org"."""


def email_mask(email: str) -> str:
    local, at, domain = (email or "").partition("@")
    if not at:
        return "•••"
    shown = local[0] + "•" * max(len(local) - 2, 1) + local[-1] if len(local) > 2 else local[:1] + "•"
    return f"{shown}@{domain}"
