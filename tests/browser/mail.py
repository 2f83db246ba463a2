"""Reading what the application emailed, as the recipient would: over SMTP, from the test's SMTP server."""

import re
from email.message import EmailMessage

VERIFICATION_CODE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)  # the code on a line of its own
COUPON_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
LINK = re.compile(r"https?://\S+")


class Mailbox:
    """The emails the application sent to smtp_server. Each read first delivers the outbox the way the worker's
    task does (notifications.sender.outbox_send_due, which notifications.tasks.send_pending_emails runs)."""

    def __init__(self, smtp_server):
        self.server = smtp_server

    def deliver(self) -> dict[str, int]:
        from notifications.sender import outbox_send_due

        return outbox_send_due()

    def all_to(self, address: str) -> list[EmailMessage]:
        self.deliver()
        return self.server.messages_to(address)

    def latest(self, address: str, *, containing: str = "") -> EmailMessage:
        """The last email to `address` (whose text contains `containing`, when given); fails when there is none."""
        messages = [m for m in self.all_to(address) if containing in self.text(m)]
        assert messages, f"no email to {address}" + (f" containing {containing!r}" if containing else "")
        return messages[-1]

    def text(self, message: EmailMessage) -> str:
        return self.server.text(message)

    def verification_code(self, address: str) -> str:
        match = VERIFICATION_CODE.search(self.text(self.latest(address)))
        assert match, "no six-digit code in the latest email"
        return match.group(1)

    def coupon_code(self, address: str) -> str:
        for message in reversed(self.all_to(address)):
            match = COUPON_CODE.search(self.text(message))
            if match:
                return match.group()
        raise AssertionError(f"no coupon code emailed to {address}")

    def link(self, address: str, *, containing: str) -> str:
        """The first link in the latest email to `address` whose URL contains `containing`."""
        for message in reversed(self.all_to(address)):
            for url in LINK.findall(self.text(message)):
                if containing in url:
                    return url.rstrip(".,)>")
        raise AssertionError(f"no link containing {containing!r} emailed to {address}")
