"""Extension points that the layers above verification fill in their AppConfig.ready(), so that verification's pages
can show what those layers know without importing them (the same one-way rule as core.events).

- `status_return_link`: where the applicant's status page offers to go back to, e.g. the partner whose hosted invite
  started the application (partners registers `invite_return_url`).
"""

from collections.abc import Callable

from verification.models import Application

ReturnLink = Callable[..., tuple[str, str] | None]
_return_links: list[ReturnLink] = []


def status_return_link_register(provider: ReturnLink) -> None:
    """`provider(application=...)` returns (name, URL) or None."""
    if provider not in _return_links:
        _return_links.append(provider)


def status_return_link(*, application: Application) -> tuple[str, str] | None:
    for provider in _return_links:
        link = provider(application=application)
        if link is not None:
            return link
    return None
