"""Partners and their API keys: create, revoke, authenticate, count requests."""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, PermissionDenied, RateLimited
from partners.keys import api_key_generate, api_key_hash, api_key_hash_matches, api_key_parse
from partners.models import ApiKey, ApiKeyWindow, Partner, Scope

ALL_SCOPES = [scope.value for scope in Scope]


def require_key_manager(actor) -> None:
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("partners.add_apikey")
    ):
        raise PermissionDenied(_("Only administrators of partners can manage API keys."), code="key_manager_only")


def partner_create(
    *, name: str, program, actor, sees_all_applications: bool = False, contact_email: str = ""
) -> Partner:
    require_key_manager(actor)
    name = (name or "").strip()[:200]
    if not name:
        raise InvalidInput(_("Give the partner a name."), code="partner_name_missing")
    partner = Partner.objects.create(
        name=name,
        program=program,
        sees_all_applications=sees_all_applications,
        contact_email=(contact_email or "").strip(),
    )
    audit_record(
        action="partner.created",
        object_type="partner",
        object_id=partner.pk,
        actor=actor,
        after={"name": partner.name, "program": program.slug, "sees_all_applications": sees_all_applications},
    )
    return partner


def api_key_create(
    *, partner: Partner, name: str, scopes: list[str], actor, requests_per_minute: int = 120
) -> tuple[ApiKey, str]:
    """A new key for `partner`; the returned plaintext is the only copy there will ever be."""
    require_key_manager(actor)
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown or not scopes:
        raise InvalidInput(
            _("Choose at least one scope among the known ones."),
            code="scope_invalid",
            details={"unknown": unknown, "known": ALL_SCOPES},
        )
    if not 1 <= requests_per_minute <= 100_000:
        raise InvalidInput(
            _("The rate limit must be between 1 and 100000 requests a minute."), code="rate_limit_invalid"
        )
    name = (name or "").strip()[:100] or _("API key")
    for _attempt in range(3):  # a prefix collision is astronomically rare; the unique constraint catches it
        raw, prefix = api_key_generate()
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    partner=partner,
                    name=name,
                    prefix=prefix,
                    key_hash=api_key_hash(raw),
                    scopes=sorted(set(scopes)),
                    requests_per_minute=requests_per_minute,
                    created_by=actor,
                )
        except IntegrityError:
            continue
        audit_record(
            action="api_key.created",
            object_type="api_key",
            object_id=key.pk,
            actor=actor,
            after={"partner": partner.pk, "prefix": prefix, "scopes": key.scopes},
        )
        return key, raw
    raise Conflict(_("Could not create a key. Please try again."), code="api_key_create_failed")


def api_key_revoke(*, api_key: ApiKey, actor, now: datetime | None = None) -> ApiKey:
    require_key_manager(actor)
    now = now or timezone.now()
    if ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor):
        audit_record(
            action="api_key.revoked",
            object_type="api_key",
            object_id=api_key.pk,
            actor=actor,
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat()},
        )
    api_keys_forget()
    api_key.refresh_from_db()
    return api_key


# Keys this process authenticated recently, by prefix: (valid until, key with its partner and program). A lookup
# was a query (three tables) on every API call. A revocation or a deactivated partner takes effect at once in the
# process that made it (api_key_revoke, the save signals in PartnersConfig.ready) and within API_KEY_CACHE_SECONDS
# in the others.
_recent_keys: dict[str, tuple[float, ApiKey]] = {}
_RECENT_KEYS_MAX = 1000


def api_keys_forget() -> None:
    """Forget the keys this process remembers (a key or partner changed: the next call reads them again)."""
    _recent_keys.clear()


def _key_by_prefix(prefix: str) -> ApiKey | None:
    seconds = settings.API_KEY_CACHE_SECONDS
    remembered = _recent_keys.get(prefix)
    if remembered is not None and remembered[0] > time.monotonic():
        return remembered[1]
    key = ApiKey.objects.select_related("partner", "partner__program").filter(prefix=prefix).first()
    if key is not None and seconds > 0:
        if len(_recent_keys) >= _RECENT_KEYS_MAX:
            _recent_keys.clear()
        _recent_keys[prefix] = (time.monotonic() + seconds, key)
    return key


def api_key_authenticate(*, raw: str, now: datetime | None = None) -> ApiKey | None:
    """The active key `raw` is, or None. Revoked keys and keys of deactivated partners authenticate nobody."""
    prefix = api_key_parse(raw)
    if prefix is None:
        return None
    key = _key_by_prefix(prefix)
    if key is None or not api_key_hash_matches(raw, key.key_hash) or not key.is_active:
        return None
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):  # one write a minute at most
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def api_key_count_request(*, api_key: ApiKey, now: datetime | None = None) -> int:
    """Count one request in the key's current minute; over its limit, RateLimited with the seconds to wait."""
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    count = _window_increment(api_key, window)
    if count > api_key.requests_per_minute:
        retry_after = max(1, 60 - now.second)
        raise RateLimited(
            _("Too many requests with this API key. Try again in %(seconds)s seconds.") % {"seconds": retry_after},
            details={"retry_after": retry_after, "limit_per_minute": api_key.requests_per_minute},
        )
    return count


def _window_increment(api_key: ApiKey, window: datetime) -> int:
    """Add one to the key's row for this minute (creating it) and read the new count, in a single statement: a
    separate read would see other requests' increments and refuse requests that were within the limit.

    On PostgreSQL outside a transaction, the statement is sent with its BEGIN, `SET LOCAL synchronous_commit TO OFF`
    and COMMIT in one round trip: the counter's commit does not wait for its WAL to reach the disk. Every API call
    writes this row and all calls with one key queue on its lock: waiting for a disk flush each time capped a key at
    a few hundred calls a second, and four round trips cost more than the increment. Counting stays exact (locking
    and visibility are unchanged); a crash may forget the last few increments of a rate-limit window, harmless."""
    table = ApiKeyWindow._meta.db_table
    upsert = (
        f"INSERT INTO {table} (api_key_id, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608 (our table name)
        f"ON CONFLICT (api_key_id, window_start) DO UPDATE SET count = {table}.count + 1 RETURNING count"
    )
    params = [api_key.pk, connection.ops.adapt_datetimefield_value(window)]
    one_trip = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        if one_trip:
            # Django's psycopg cursors bind client-side, so several statements can go with their parameters at once.
            cursor.execute(f"BEGIN; SET LOCAL synchronous_commit TO OFF; {upsert}; COMMIT", params)
            cursor.nextset()  # past BEGIN's and SET's results to the INSERT's
            cursor.nextset()
        else:
            cursor.execute(upsert, params)
        return cursor.fetchone()[0]


def api_key_windows_prune(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return ApiKeyWindow.objects.filter(window_start__lt=now - timedelta(hours=1)).delete()[0]
