"""Vouch settings: every value comes from the environment (see .env.example).

A variable NAME may instead be given as NAME_FILE, a path whose content is the value (for secrets).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env("VOUCH_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    # A per-installation key kept in the data folder: the embedded default needs no configuration,
    # and the key survives restarts without ever being committed.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
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
    "support",  # the support console and the staff roles (above verification and billing)
    "vouch",  # the project package: demo seeding that composes every app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.views.ApplicationErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "billing.brand.vendor_context",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "vouch.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
                ),
            },
        }
    }
# Several processes: persistent connections (DATABASE_CONN_MAX_AGE seconds, 0 = one per request) and, on
# PostgreSQL, psycopg's connection pool per process (DATABASE_POOL_MAX_SIZE > 0; then CONN_MAX_AGE must be 0).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _pool_max = int(env("DATABASE_POOL_MAX_SIZE", "0"))
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if _pool_max else int(env("DATABASE_CONN_MAX_AGE", "60"))
    if _pool_max:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(env("DATABASE_POOL_MIN_SIZE", "1")), "max_size": _pool_max,
            "timeout": int(env("DATABASE_POOL_TIMEOUT", "10"))}
# A read replica for the reads that tolerate lag (core.db.replica_reads: registry search and lookups).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
# Tests: a file (not memory) so that threads share it; TEST_DATABASE_NAME lets parallel runs keep apart.
_test_name = env("TEST_DATABASE_NAME", "test_vouch")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"{_test_name}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": _test_name}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# A cache every process shares (the sign-in failure limit counts in it): a database table by default
# (`manage.py createcachetable`), Redis or Memcached when CACHE_URL-style settings are added.
# With REDIS_URL, Redis holds the cache (and so the rate limits and lockouts) for every process.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": env("CACHE_KEY_PREFIX", "vouch")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "vouch_cache"}}

# Search: how many results a query may ask for, and the longest query accepted (longer input is cut, not refused).
SEARCH_MAX_LIMIT = int(env("SEARCH_MAX_LIMIT", "50"))

# Partner API: responses to creating POSTs are replayed for retries with the same Idempotency-Key this long (the
# API promises at least 24 hours).
IDEMPOTENCY_KEEP_HOURS = max(24, int(env("IDEMPOTENCY_KEEP_HOURS", "48")))
SEARCH_MAX_QUERY_CHARS = int(env("SEARCH_MAX_QUERY_CHARS", "200"))
# Webhooks go to https URLs only; this also allows http to this machine (127.0.0.1, localhost), as DEBUG does.
WEBHOOKS_ALLOW_HTTP_LOCALHOST = env_bool("WEBHOOKS_ALLOW_HTTP_LOCALHOST", False)

# Domain proofs (verification.proofs): the DNS servers to ask ("host:port" entries, comma-separated; empty: the
# system's resolvers) and their timeout. Proof pages are fetched over https only; DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST
# (development and tests only) fetches them over plain http on DOMAIN_PROOF_HTTP_PORT and allows 127.0.0.1.
DNS_RESOLVERS = env_list("DNS_RESOLVERS", "")
DNS_TIMEOUT_SECONDS = float(env("DNS_TIMEOUT_SECONDS", "3"))
DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST = env_bool("DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST", False)
DOMAIN_PROOF_HTTP_PORT = int(env("DOMAIN_PROOF_HTTP_PORT", "80"))
# Decision receipts (verification.receipts): validity in days. Trusted issuers' key sets and status lists are
# fetched over https; FEDERATION_ALLOW_HTTP_LOCALHOST (development and tests only) allows http to 127.0.0.1.
RECEIPT_VALID_DAYS = int(env("RECEIPT_VALID_DAYS", "365"))
FEDERATION_ALLOW_HTTP_LOCALHOST = env_bool("FEDERATION_ALLOW_HTTP_LOCALHOST", False)

# Imports: worker processes that parse large files while the main process writes (0 = parse in-process),
# and the input size from which they are worth starting.
IMPORT_WORKERS = int(env("IMPORT_WORKERS", str(max(1, min(3, (os.cpu_count() or 2) - 1)))))
IMPORT_PARALLEL_MIN_BYTES = int(env("IMPORT_PARALLEL_MIN_BYTES", str(32 * 1024 * 1024)))
# Rows an import writes per transaction; 0: the whole run in one transaction. On SQLite a write transaction locks
# out every other writer (worker, sign-in, API), so imports commit in batches there and undo a failed run from a
# journal (registry/importers/journal.py); PostgreSQL's writers do not block each other.
IMPORT_COMMIT_ROWS = int(env("IMPORT_COMMIT_ROWS", "5000" if DATABASES["default"]["ENGINE"].endswith("sqlite3")
                             else "0"))

# Background work: the django.tasks API on the database backend; `manage.py db_worker` runs it.
# TASKS_BACKEND=rq (with REDIS_URL) moves the queue to Redis: workers are `manage.py rqworker default --job-class
# django_tasks_rq.Job`. The database rows (outbox, webhook deliveries) stay the source of truth either way.
_tasks_backend = env("TASKS_BACKEND", "database")
if _tasks_backend == "rq":
    if not REDIS_URL:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": {"database": "django_tasks_db.DatabaseBackend"}.get(_tasks_backend, _tasks_backend),
                         "QUEUES": ["default"]}}
# The periodic jobs `manage.py run_scheduler` enqueues (one table, see docs/operator-guide.md).
SCHEDULE = "vouch.schedule.SCHEDULE"

# Email (Django's MAILERS): SMTP when EMAIL_HOST is set; otherwise each email is written as a file under
# VOUCH_DATA_DIR/mail (the embedded default, so a newcomer can read the codes Vouch sends).
_email_host = env("EMAIL_HOST", "")
if _email_host:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
        "host": _email_host, "port": int(env("EMAIL_PORT", "25")), "username": env("EMAIL_HOST_USER", ""),
        "password": env("EMAIL_HOST_PASSWORD", ""), "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False), "timeout": int(env("EMAIL_TIMEOUT", "20")),
    }}}
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                           "OPTIONS": {"file_path": str(DATA_DIR / "mail")}}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Vouch <no-reply@vouch.localhost>")
# The address links in emails point at.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Coupon codes are stored as keyed hashes. Without COUPON_HASH_KEY the key derives from SECRET_KEY (rotating it
# then needs the old key in SECRET_KEY_FALLBACKS); a dedicated key decouples the two.
COUPON_HASH_KEY = env("COUPON_HASH_KEY", "")
COUPON_HASH_KEY_FALLBACKS = env_list("COUPON_HASH_KEY_FALLBACKS", "")

# Who applicants contact about a verification (shown when a coupon was already used).
VERIFIER_SUPPORT_CONTACT = env("VERIFIER_SUPPORT_CONTACT", "")

# The vendor whose store this is (billing.brand): its name, logo (an absolute URL or a path under static/) and
# colour on the store's pages and emails; its legal name, postal address (lines separated by "|") and tax id on
# invoices. The verification pages and emails keep the verifier's (Vouch's) name.
VENDOR_NAME = env("VENDOR_NAME", "Workplace")
VENDOR_LEGAL_NAME = env("VENDOR_LEGAL_NAME", "") or VENDOR_NAME
VENDOR_ADDRESS = [line.strip() for line in (env("VENDOR_ADDRESS", "") or "").split("|") if line.strip()]
VENDOR_TAX_ID = env("VENDOR_TAX_ID", "")
VENDOR_LOGO = env("VENDOR_LOGO", "img/vendor-logo.svg")
VENDOR_BRAND_COLOUR = env("VENDOR_BRAND_COLOUR", "#5b2a86")  # #rrggbb; white text on it must stay readable
# The vendor's support for store problems (the program's support_contact is the one coupon refusals name).
VENDOR_SUPPORT_CONTACT = env("VENDOR_SUPPORT_CONTACT", "")

# The vendor's bank account, shown on invoices paid by bank transfer.
BANK_TRANSFER_DETAILS = {
    key: value for key, value in {
        "beneficiary": env("BANK_TRANSFER_BENEFICIARY", ""), "iban": env("BANK_TRANSFER_IBAN", ""),
        "bic": env("BANK_TRANSFER_BIC", ""), "account_number": env("BANK_TRANSFER_ACCOUNT_NUMBER", ""),
        "routing_number": env("BANK_TRANSFER_ROUTING_NUMBER", ""),
    }.items() if value
}

# Uploaded documents: outside the web root, never served as files.
DOCUMENTS_DIR = Path(env("DOCUMENTS_DIR", str(DATA_DIR / "documents")))
# Where uploads live (core.uploads): local disk under DOCUMENTS_DIR unless STORAGE_URL names S3-compatible storage,
# s3://ACCESS_KEY:SECRET_KEY@host[:port]/bucket[?region=…] (https), or s3+http://… (plain http, local test servers).
# Objects are private: Vouch reads them and serves them itself, to the people allowed to see them.
STORAGE_URL = env("STORAGE_URL", "")
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# Behind reverse proxies: how many of ours append to X-Forwarded-For (0 = trust REMOTE_ADDR only; core.client_ip).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# File storages: Django's defaults, plus "uploads" (documents and tax certificates; core.uploads).
from vouch.storage import storages_from_url  # noqa: E402  (needs the values above)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "uploads": storages_from_url(STORAGE_URL),
}
