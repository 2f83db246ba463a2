"""`manage.py rotate_receipt_key`: a new signing key for receipts; the old ones stay published for verification."""

from django.core.management.base import BaseCommand

from verification.receipts.keys import signing_key_rotate


class Command(BaseCommand):
    help = "Rotate the Ed25519 key that signs decision receipts (old keys keep verifying)."

    def handle(self, *args, **options):
        key = signing_key_rotate()
        self.stdout.write(f"active key: {key.kid}")
