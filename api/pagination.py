"""Opaque, signed cursors for keyset paging over (created_at, id).

Signed, so a cursor the API did not hand out (edited, forged, truncated, garbage) is refused with 400
`invalid_cursor` instead of positioning anywhere or failing later."""

from datetime import UTC, datetime

from django.core import signing
from django.utils.translation import gettext as _

from core.errors import InvalidInput

_SALT = "vouch.api.cursor.v1"


def cursor_encode(created_at: datetime, pk: int) -> str:
    return signing.dumps([created_at.astimezone(UTC).isoformat(), pk], salt=_SALT, compress=False)


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        created_at, pk = signing.loads(cursor, salt=_SALT)
        position = datetime.fromisoformat(created_at), int(pk)
    except (signing.BadSignature, TypeError, ValueError, OverflowError, UnicodeError) as error:
        raise InvalidInput(_("This cursor is not one the API handed out."), code="invalid_cursor") from error
    if position[0].tzinfo is None:
        raise InvalidInput(_("This cursor is not one the API handed out."), code="invalid_cursor")
    return position


def datetime_param(value: datetime | None, *, field: str) -> datetime | None:
    """An aware datetime (a naive one is read as UTC); one that cannot be represented in UTC is refused."""
    if value is None:
        return None
    try:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise InvalidInput(
            _("The field %(field)s is not a usable date and time.") % {"field": field},
            code="invalid_input",
            details={"field": field},
        ) from error
