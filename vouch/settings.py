"""Vouch settings: every value comes from the environment (see .env.example and docs/configuration.md).

A variable NAME may instead be given as NAME_FILE, a path whose content is the value (for secrets). An optional
`.env` file (VOUCH_DOTENV, default `.env` beside manage.py) fills in variables the environment does not set. Values
are parsed strictly (vouch/env.py): a malformed one, or a production set-up missing its secrets, stops start-up
with a message naming every variable at fault.
"""

import os
import re
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from core.logs import FORMATS, logging_config
from vouch.env import Env, dotenv_load
from vouch.storage import storages_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
dotenv_load(Path(os.environ.get("VOUCH_DOTENV") or BASE_DIR / ".env"))
env = Env()
env.names.add("VOUCH_DOTENV")

# The test runner configures itself (fast hashes, its own databases): it never runs in production mode by itself.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
if TESTING:  # and neither do the commands the tests start (they inherit this)
    os.environ.setdefault("VOUCH_ENV", "development")

DEBUG = env.flag("DEBUG", False)
DATA_DIR = Path(env.text("VOUCH_DATA_DIR", str(BASE_DIR / "data")))


def _private_file(path: Path, content: str | None = None) -> None:
    """Create the file for its owner only (0600) without a moment readable by others; tighten an existing one."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content or "")
    elif path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(0o600)


# The data folder holds the database, the generated key, uploads and emails: its owner's only (0700).
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if DATA_DIR.stat().st_uid == os.getuid() and DATA_DIR.stat().st_mode & 0o077:
    DATA_DIR.chmod(0o700)

# -- Database ------------------------------------------------------------------------------------------------------
# Unset: an SQLite file in VOUCH_DATA_DIR. postgres://… in production; sqlite:///path for another SQLite file.
# Every SQLite database gets WAL, IMMEDIATE transactions and a busy timeout, however it was named.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": env.integer("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
    ),
}
_database = env.database("DATABASE_URL") or {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "vouch.sqlite3"}
USES_SQLITE = _database["ENGINE"].endswith("sqlite3")
if USES_SQLITE and str(_database["NAME"]) != ":memory:" and Path(_database["NAME"]).parent.is_dir():
    # SQLite creates the file (and its -wal/-shm, which copy its mode) with the process umask: make it 0600 first.
    _private_file(Path(_database["NAME"]))
# Several processes: persistent connections (DATABASE_CONN_MAX_AGE seconds, 0 = one per request) and, on
# PostgreSQL, psycopg's connection pool per process (DATABASE_POOL_MAX_SIZE > 0; then CONN_MAX_AGE must be 0).
_conn_max_age = env.integer("DATABASE_CONN_MAX_AGE", 60, minimum=0)
_pool_max = env.integer("DATABASE_POOL_MAX_SIZE", 0, minimum=0)
_pool = {
    "min_size": env.integer("DATABASE_POOL_MIN_SIZE", 1, minimum=0),
    "max_size": _pool_max,
    "timeout": env.integer("DATABASE_POOL_TIMEOUT", 10, minimum=1),
}
if USES_SQLITE:
    _database["OPTIONS"] = {**SQLITE_OPTIONS, **_database.get("OPTIONS", {})}
else:
    _database.update(CONN_MAX_AGE=0 if _pool_max else _conn_max_age, CONN_HEALTH_CHECKS=True)
    if _pool_max:
        _database.setdefault("OPTIONS", {})["pool"] = _pool
DATABASES = {"default": _database}
# A read replica for the reads that tolerate lag (core.db.replica_reads: registry search and lookups).
_replica = env.database("DATABASE_REPLICA_URL")
if _replica:
    _replica.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True, TEST={"MIRROR": "default"})
    if _replica["ENGINE"].endswith("sqlite3"):
        _replica["OPTIONS"] = {**SQLITE_OPTIONS, **_replica.get("OPTIONS", {})}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
# django-prometheus's wrappers of the same backends count queries, errors and connections for /metrics (ours for
# PostgreSQL: it does not wrap a pooled connection's cursors again each time the pool lends it).
_PROMETHEUS_ENGINES = {
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
    "django.db.backends.postgresql": "vouch.db_backends.postgresql",
}
for _alias_settings in DATABASES.values():
    _alias_settings["ENGINE"] = _PROMETHEUS_ENGINES[_alias_settings["ENGINE"]]
# Tests: a file (not memory) so that threads share it; TEST_DATABASE_NAME lets parallel runs keep apart.
_test_name = env.text("TEST_DATABASE_NAME", "test_vouch")
DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"{_test_name}.sqlite3") if USES_SQLITE else _test_name}

# -- Mode ----------------------------------------------------------------------------------------------------------
# production: DEBUG off on a database other than SQLite, or VOUCH_ENV=production. It refuses to start without its
# secrets and turns HTTPS-only settings on by default. VOUCH_ENV=development says otherwise explicitly.
VOUCH_ENV = env.choice(
    "VOUCH_ENV",
    ("development", "production"),
    "production" if not DEBUG and not USES_SQLITE and not TESTING else "development",
)
PRODUCTION = VOUCH_ENV == "production"
_missing: list[str] = []


def _required(name: str) -> None:
    if PRODUCTION and not env.is_set(name):
        _missing.append(name)


# Where `make run` serves (host:port): the default for the public address and the allowed hosts in development.
VOUCH_ADDR = env.text("VOUCH_ADDR", "127.0.0.1:8000")
_addr_host, _, _addr_port = VOUCH_ADDR.rpartition(":") if ":" in VOUCH_ADDR else (VOUCH_ADDR, "", "")
_addr_host = _addr_host.strip("[]")
_wildcard = _addr_host in ("", "0.0.0.0", "::")  # noqa: S104 (a listening address, compared, not bound)

# -- Secrets -------------------------------------------------------------------------------------------------------
_required("SECRET_KEY")
SECRET_KEY = env.text("SECRET_KEY")
# Unset outside production: a per-installation key kept in the data folder, so the embedded default needs no
# configuration and the key survives restarts. Another machine would generate another key (core.checks warns).
SECRET_KEY_GENERATED = not SECRET_KEY and not PRODUCTION
if SECRET_KEY_GENERATED:
    import secrets

    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        _private_file(key_file, secrets.token_urlsafe(50))
    _private_file(key_file)
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()
# Previous keys, still accepted (signed links, sessions, coupon hashes keyed by SECRET_KEY) while they age out.
SECRET_KEY_FALLBACKS = env.items("SECRET_KEY_FALLBACKS")

# -- Hosts, addresses, HTTPS ------------------------------------------------------------------------------------------
_required("ALLOWED_HOSTS")
ALLOWED_HOSTS = env.items(
    "ALLOWED_HOSTS", list(dict.fromkeys(["127.0.0.1", "localhost", "testserver", *([] if _wildcard else [_addr_host])]))
)
# The address links in emails point at; by default where `make run` serves (VOUCH_ADDR).
_required("PUBLIC_BASE_URL")
_public_host = "127.0.0.1" if _wildcard else (f"[{_addr_host}]" if ":" in _addr_host else _addr_host)
PUBLIC_BASE_URL: str = env.url("PUBLIC_BASE_URL", f"http://{_public_host}" + (f":{_addr_port}" if _addr_port else ""))
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL] if PRODUCTION else [])

# Behind reverse proxies: how many of ours append to X-Forwarded-For (0 = trust REMOTE_ADDR only; core.client_ip).
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
# The header the proxy sets to "https" on secure requests (request.is_secure()); by default X-Forwarded-Proto when
# TRUSTED_PROXY_COUNT says a proxy is there, none otherwise ("none" turns it off). Only set it when the proxy
# overwrites the header: a client could send it too.
_proto_header = env.text("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto" if TRUSTED_PROXY_COUNT else "none")
if _proto_header.lower() != "none":
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proto_header.upper().replace("-", "_"), "https")
# HTTPS only: on by default in production, off otherwise; each can be set.
SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", PRODUCTION)
# Probes and scrapers talk to the process directly, often over plain HTTP on the machine itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.flag("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env.flag("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Cookies are sent on top-level navigations from other sites (emailed links) but not on their forms or frames.
COOKIE_SAMESITE = env.choice("COOKIE_SAMESITE", ("Lax", "Strict"), "Lax")
SESSION_COOKIE_SAMESITE = COOKIE_SAMESITE
CSRF_COOKIE_SAMESITE = COOKIE_SAMESITE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Preloading is a commitment made by submitting the domain to the browsers' list: opting out of it is not a flaw.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",  # ISO 3166 codes and their names in both languages (its own catalogs): registry.countries
    "django_tasks_db",
    "django_prometheus",
    "ninja",  # serves the API docs page's scripts and styles itself, not from a CDN
    "core",
    "registry",
    "programs",
    "verification",
    "coupons",
    "billing",
    "notifications",
    "partners",
    "webhooks",
    "axes",  # sign-in throttling (security.throttle configures it)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "security",
    "support",  # the support console and the staff roles (above verification and billing)
    "vouch",  # the project package: demo seeding that composes every app
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.request_id.RequestIdMiddleware",
    # /healthz, /readyz and /metrics answer here: before host checks, sessions, CSRF and the HTTPS redirect.
    "vouch.operations.OperationsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.views.ApplicationErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "security.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a lockout into the lockout page
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "vouch.urls"
WSGI_APPLICATION = "vouch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "billing.brand.vendor_context",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates per language: Django's formats, English written out in full (vouch/formats/en).
FORMAT_MODULE_PATH = ["vouch.formats"]
TIME_ZONE = env.text("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]

# A cache every process shares (the sign-in failure limit counts in it): a database table by default
# (`manage.py createcachetable`), Redis or Memcached when CACHE_URL-style settings are added.
# With REDIS_URL, Redis holds the cache (and so the rate limits and lockouts) for every process.
REDIS_URL = env.url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.text("CACHE_KEY_PREFIX", "vouch"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "vouch_cache"}}

# Search: how many results a query may ask for, and the longest query accepted (longer input is cut, not refused).
SEARCH_MAX_LIMIT = env.integer("SEARCH_MAX_LIMIT", 50, minimum=1)
SEARCH_MAX_QUERY_CHARS = env.integer("SEARCH_MAX_QUERY_CHARS", 200, minimum=10)
# The public pre-check (GET /api/v1/programs/{slug}/precheck, no key): requests per client address per minute.
PRECHECKS_PER_IP_PER_MINUTE = env.integer("PRECHECKS_PER_IP_PER_MINUTE", 60, minimum=1)

# Partner API: responses to creating POSTs are replayed for retries with the same Idempotency-Key this long (the
# API promises at least 24 hours).
IDEMPOTENCY_KEEP_HOURS = env.integer("IDEMPOTENCY_KEEP_HOURS", 48, minimum=24)
# Partner API: a web process remembers a key it authenticated this many seconds (0: never), instead of reading it
# on every call; a revoked key or a deactivated partner is refused by the other processes within that time.
API_KEY_CACHE_SECONDS = env.integer("API_KEY_CACHE_SECONDS", 5, minimum=0, maximum=300)
# Webhooks go to https URLs only; this also allows http to this machine (127.0.0.1, localhost), as DEBUG does.
WEBHOOKS_ALLOW_HTTP_LOCALHOST = env.flag("WEBHOOKS_ALLOW_HTTP_LOCALHOST", False)

# Domain proofs (verification.proofs): the DNS servers to ask ("host:port" entries, comma-separated; empty: the
# system's resolvers) and their timeout. Proof pages are fetched over https only; DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST
# (development and tests only) fetches them over plain http on DOMAIN_PROOF_HTTP_PORT and allows 127.0.0.1.
DNS_RESOLVERS = env.items("DNS_RESOLVERS")
DNS_TIMEOUT_SECONDS = env.integer("DNS_TIMEOUT_SECONDS", 3, minimum=1, maximum=30)
DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST = env.flag("DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST", False)
DOMAIN_PROOF_HTTP_PORT = env.integer("DOMAIN_PROOF_HTTP_PORT", 80, minimum=1, maximum=65535)
# Decision receipts (verification.receipts): validity in days. Trusted issuers' key sets and status lists are
# fetched over https; FEDERATION_ALLOW_HTTP_LOCALHOST (development and tests only) allows http to 127.0.0.1.
RECEIPT_VALID_DAYS = env.integer("RECEIPT_VALID_DAYS", 365, minimum=1)
FEDERATION_ALLOW_HTTP_LOCALHOST = env.flag("FEDERATION_ALLOW_HTTP_LOCALHOST", False)

# Imports: worker processes that parse large files while the main process writes (0 = parse in-process),
# and the input size from which they are worth starting.
IMPORT_WORKERS = env.integer("IMPORT_WORKERS", max(1, min(3, (os.cpu_count() or 2) - 1)), minimum=0)
IMPORT_PARALLEL_MIN_BYTES = env.integer("IMPORT_PARALLEL_MIN_BYTES", 32 * 1024 * 1024, minimum=0)
# Rows an import writes per transaction; 0: the whole run in one transaction. On SQLite a write transaction locks
# out every other writer (worker, sign-in, API), so imports commit in batches there and undo a failed run from a
# journal (registry/importers/journal.py); PostgreSQL's writers do not block each other.
IMPORT_COMMIT_ROWS = env.integer("IMPORT_COMMIT_ROWS", 5000 if USES_SQLITE else 0, minimum=0)

# Background work: the django.tasks API on the database backend; `manage.py db_worker` runs it.
# TASKS_BACKEND=rq (with REDIS_URL) moves the queue to Redis: workers are `manage.py rqworker default --job-class
# django_tasks_rq.Job`. The database rows (outbox, webhook deliveries) stay the source of truth either way.
_tasks_backend = env.text("TASKS_BACKEND", "database")
if _tasks_backend == "rq":
    if not REDIS_URL:
        env.errors.append("TASKS_BACKEND: rq needs REDIS_URL")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {
        "default": {
            "BACKEND": {"database": "django_tasks_db.DatabaseBackend"}.get(_tasks_backend, _tasks_backend),
            "QUEUES": ["default"],
        }
    }

# Email (Django's MAILERS): SMTP when EMAIL_HOST is set; otherwise each email is written as a file under
# VOUCH_DATA_DIR/mail (the embedded default, so a newcomer can read the codes Vouch sends).
_email_host = env.text("EMAIL_HOST")
_smtp_options = {
    "host": _email_host,
    "port": env.integer("EMAIL_PORT", 25, minimum=1, maximum=65535),
    "username": env.text("EMAIL_HOST_USER"),
    "password": env.text("EMAIL_HOST_PASSWORD"),
    "use_tls": env.flag("EMAIL_USE_TLS", False),
    "use_ssl": env.flag("EMAIL_USE_SSL", False),
    "timeout": env.integer("EMAIL_TIMEOUT", 20, minimum=1),
}
if _email_host:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _smtp_options}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
        }
    }
# The periodic jobs `manage.py run_scheduler` enqueues (one table, see docs/operator-guide.md).
SCHEDULE = "vouch.schedule.SCHEDULE"

DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "Vouch <no-reply@vouch.localhost>")

# Coupon codes are stored as keyed hashes. Without COUPON_HASH_KEY the key derives from SECRET_KEY (rotating it
# then needs the old key in SECRET_KEY_FALLBACKS); a dedicated key decouples the two.
COUPON_HASH_KEY = env.text("COUPON_HASH_KEY")
COUPON_HASH_KEY_FALLBACKS = env.items("COUPON_HASH_KEY_FALLBACKS")

# Who applicants contact about a verification (shown when a coupon was already used).
_required("VERIFIER_SUPPORT_CONTACT")
VERIFIER_SUPPORT_CONTACT = env.text("VERIFIER_SUPPORT_CONTACT")

# The vendor's bank account, shown on invoices paid by bank transfer.
BANK_TRANSFER_DETAILS = {
    key: value
    for key, value in {
        "beneficiary": env.text("BANK_TRANSFER_BENEFICIARY"),
        "iban": env.text("BANK_TRANSFER_IBAN"),
        "bic": env.text("BANK_TRANSFER_BIC"),
        "account_number": env.text("BANK_TRANSFER_ACCOUNT_NUMBER"),
        "routing_number": env.text("BANK_TRANSFER_ROUTING_NUMBER"),
    }.items()
    if value
}

# Uploaded documents: outside the web root, never served as files.
DOCUMENTS_DIR = Path(env.text("DOCUMENTS_DIR", str(DATA_DIR / "documents")))
DOCUMENT_MAX_BYTES = env.integer("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# Upload quotas: documents per application (count and total bytes), tax certificates per store account.
DOCUMENTS_PER_APPLICATION_MAX = env.integer("DOCUMENTS_PER_APPLICATION_MAX", 10, minimum=1)
DOCUMENTS_PER_APPLICATION_MAX_BYTES = env.integer("DOCUMENTS_PER_APPLICATION_MAX_BYTES", 30 * 1024 * 1024, minimum=1)
TAX_CERTIFICATES_PER_ACCOUNT_MAX = env.integer("TAX_CERTIFICATES_PER_ACCOUNT_MAX", 10, minimum=1)
TAX_CERTIFICATES_PER_ACCOUNT_MAX_BYTES = env.integer(
    "TAX_CERTIFICATES_PER_ACCOUNT_MAX_BYTES", 30 * 1024 * 1024, minimum=1
)
# Files of rejected applications and rejected tax-exemption requests are deleted this many days after the decision.
REJECTED_UPLOAD_RETENTION_DAYS = env.integer("REJECTED_UPLOAD_RETENTION_DAYS", 90, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Where uploads live (core.uploads): local disk under DOCUMENTS_DIR unless STORAGE_URL names S3-compatible storage,
# s3://ACCESS_KEY:SECRET_KEY@host[:port]/bucket[?region=…] (https), or s3+http://… (plain http, local test servers).
# Objects are private: Vouch reads them and serves them itself, to the people allowed to see them.
STORAGE_URL = env.text("STORAGE_URL")
# File storages: Django's defaults, plus "uploads" (documents and tax certificates; core.uploads).
try:
    _uploads = storages_from_url(STORAGE_URL)
except ImproperlyConfigured as exc:
    env.errors.append(str(exc))
    _uploads = storages_from_url("")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "uploads": _uploads,
}

# The vendor whose store this is (billing.brand): its name, logo (an absolute URL or a path under static/) and
# colour on the store's pages and emails; its legal name, postal address (lines separated by "|") and tax id on
# invoices. The verification pages and emails keep the verifier's (Vouch's) name.
VENDOR_NAME = env.text("VENDOR_NAME", "Workplace")
VENDOR_LEGAL_NAME = env.text("VENDOR_LEGAL_NAME") or VENDOR_NAME
VENDOR_ADDRESS = [line.strip() for line in env.text("VENDOR_ADDRESS").split("|") if line.strip()]
VENDOR_TAX_ID = env.text("VENDOR_TAX_ID")
VENDOR_LOGO = env.text("VENDOR_LOGO", "img/vendor-logo.svg")
VENDOR_BRAND_COLOUR = env.text("VENDOR_BRAND_COLOUR", "#5b2a86")  # #rrggbb; white text on it must stay readable
if not re.fullmatch(r"#[0-9a-fA-F]{6}", VENDOR_BRAND_COLOUR):
    env.errors.append(f"VENDOR_BRAND_COLOUR: expected a colour as #rrggbb, got {VENDOR_BRAND_COLOUR!r}")
# The vendor's support for store problems (the program's support_contact is the one coupon refusals name).
VENDOR_SUPPORT_CONTACT = env.text("VENDOR_SUPPORT_CONTACT")

# -- Operations --------------------------------------------------------------------------------------------------
# Logs: JSON lines when stderr is not a terminal, readable lines on one (LOG_FORMAT=auto|json|text).
LOG_LEVEL = env.choice("LOG_LEVEL", ("debug", "info", "warning", "error", "critical"), "info").upper()
LOG_FORMAT = env.choice("LOG_FORMAT", FORMATS, "auto")
LOGGING = logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)
# django-axes logs every sign-in at INFO; failures and lockouts (WARNING) are enough, and they are audited.
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}

# /metrics (Prometheus) answers to these addresses or networks, and to `Authorization: Bearer METRICS_TOKEN`.
METRICS_ALLOWED_IPS = env.networks("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env.text("METRICS_TOKEN")
# /readyz reports a backlog of due email or webhooks older than this as not ready (seconds).
READY_BACKLOG_MAX_AGE = env.integer("READY_BACKLOG_MAX_AGE", 900, minimum=1)
# /readyz reports the periodic-job scheduler as not running when its heartbeat is older than this (seconds).
SCHEDULER_HEARTBEAT_MAX_AGE = env.integer("SCHEDULER_HEARTBEAT_MAX_AGE", 120, minimum=10)
PROMETHEUS_EXPORT_MIGRATIONS = False
# prometheus_client reads PROMETHEUS_MULTIPROC_DIR itself (several worker processes: scripts/run sets it).
env.names.add("PROMETHEUS_MULTIPROC_DIR")

# Error tracking: only when SENTRY_DSN is set.
SENTRY_DSN = env.url("SENTRY_DSN", schemes=("http", "https"))
SENTRY_ENVIRONMENT = env.text("SENTRY_ENVIRONMENT", VOUCH_ENV)
SENTRY_TRACES_SAMPLE_RATE = env.integer("SENTRY_TRACES_PERCENT", 0, minimum=0, maximum=100) / 100

# Tests only: the PostgreSQL server the suite also runs on (read by scripts/test, listed for completeness).
env.names.add("TEST_POSTGRES_URL")

# -- Security (docs/security.md) -----------------------------------------------------------------------------------
# Content-Security-Policy on every response (Django's ContentSecurityPolicyMiddleware): scripts and styles from
# Vouch's own static files only; a script or style that must be inline carries the request's nonce.
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only (to try a change safely);
# CSP_REPORT_URI names where browsers send violation reports.
from django.utils.csp import CSP  # noqa: E402

_csp = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],  # the store's brand colour is the one inline style (with the nonce)
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
_csp_report_uri = env.text("CSP_REPORT_URI")
if _csp_report_uri:
    _csp["report-uri"] = _csp_report_uri
CSP_REPORT_ONLY = env.flag("CSP_REPORT_ONLY", False)
if CSP_REPORT_ONLY:
    SECURE_CSP_REPORT_ONLY = _csp
else:
    SECURE_CSP = _csp
# Referrer-Policy for every page (the status page keeps its own same-origin); Permissions-Policy: Vouch uses no
# camera, microphone, location, payment or other powerful browser feature, so none may be used on its pages.
SECURE_REFERRER_POLICY = env.text("REFERRER_POLICY", "same-origin")
PERMISSIONS_POLICY = env.text(
    "PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "usb=(), interest-cohort=()",
)

# Sign-in throttling (django-axes, every sign-in form: back-office, admin, store). A client address is locked after
# SIGN_IN_FAILURE_LIMIT failures, and so is an account, for SIGN_IN_COOLOFF_MINUTES; a browser that signed in to
# the account before (a signed cookie) is not held by the account's lock, only by its own address's.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
SIGN_IN_FAILURE_LIMIT = env.integer("SIGN_IN_FAILURE_LIMIT", 10, minimum=1)
SIGN_IN_COOLOFF_MINUTES = env.integer("SIGN_IN_COOLOFF_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = SIGN_IN_FAILURE_LIMIT
AXES_COOLOFF_TIME = SIGN_IN_COOLOFF_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = "security.throttle.lockout_parameters"
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "security.throttle.username_of"
AXES_LOCKOUT_CALLABLE = "security.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How long a browser that signed in is remembered as the account's own (the cookie that passes an account lock).
SIGN_IN_DEVICE_DAYS = env.integer("SIGN_IN_DEVICE_DAYS", 180, minimum=1)

# Emails anyone can ask for (one-time codes, store sign-up confirmations): at most this many per client address
# per hour (per email address the limits are in verification.email_challenges and billing.accounts).
EMAIL_SENDS_PER_IP_PER_HOUR = env.integer("EMAIL_SENDS_PER_IP_PER_HOUR", 20, minimum=1)

# Two-factor sign-in (TOTP with recovery codes, django-otp) for every staff account before the back-office or the
# admin opens. On unless DEBUG; STAFF_REQUIRE_2FA=false turns it off (a test or a demo machine, never production).
STAFF_REQUIRE_2FA = env.flag("STAFF_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = env.text("OTP_TOTP_ISSUER", "Vouch")
# The admin lists staff devices (to delete a lost one) but never shows their keys or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# -- Fail fast -----------------------------------------------------------------------------------------------------
if _missing:
    env.errors.append(
        "production mode (VOUCH_ENV=production, or DEBUG off on a database other than SQLite) needs "
        + ", ".join(_missing)
        + " (set each, or NAME_FILE with a path holding it)"
    )
env.raise_errors()
ENV_NAMES = sorted(env.names)

if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration()],
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
