"""Settings read strictly from the environment: malformed values and incomplete production set-ups stop start-up
with a message naming the variables; NAME_FILE and .env work; every SQLite database gets its options."""

import re

import pytest

from tests.vouch.probe import ROOT, STRONG_KEY, production, run_manage, run_python, settings_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "smtp"),
        ("IDEMPOTENCY_KEEP_HOURS", "12"),
        ("PUBLIC_BASE_URL", "vouch.org"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("LOG_FORMAT", "xml"),
        ("METRICS_ALLOWED_IPS", "10.0.0.0/8, localhost"),
        ("DATABASE_URL", "mongodb://db/vouch"),
        ("VOUCH_ENV", "prod"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(tmp_path, name, value):
    result = run_manage(tmp_path, "check", **{name: value})
    assert result.returncode != 0
    assert f"- {name}: expected" in result.stderr
    assert "Traceback" not in result.stderr  # one clear message, not a stack


def test_every_mistake_is_reported_at_once(tmp_path):
    result = run_manage(tmp_path, "check", DEBUG="maybe", SEARCH_MAX_LIMIT="lots")
    assert "DEBUG: expected" in result.stderr and "SEARCH_MAX_LIMIT: expected" in result.stderr


def test_secrets_are_read_from_name_file(tmp_path):
    (tmp_path / "key").write_text(STRONG_KEY + "\n", encoding="utf-8")
    seen = settings_of(tmp_path, "SECRET_KEY", "SECRET_KEY_GENERATED", SECRET_KEY_FILE=tmp_path / "key")
    assert seen == {"SECRET_KEY": STRONG_KEY, "SECRET_KEY_GENERATED": False}
    result = run_manage(tmp_path, "check", SECRET_KEY_FILE=tmp_path / "missing")
    assert result.returncode != 0 and "SECRET_KEY_FILE: cannot read" in result.stderr


def test_a_dotenv_file_fills_in_what_the_environment_does_not_set(tmp_path):
    (tmp_path / "vouch.env").write_text("TIME_ZONE=Europe/Paris\nSEARCH_MAX_LIMIT=20\n", encoding="utf-8")
    seen = settings_of(
        tmp_path, "TIME_ZONE", "SEARCH_MAX_LIMIT", VOUCH_DOTENV=tmp_path / "vouch.env", SEARCH_MAX_LIMIT="30"
    )
    assert seen == {"TIME_ZONE": "Europe/Paris", "SEARCH_MAX_LIMIT": 30}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PUBLIC_BASE_URL", "ALLOWED_HOSTS", "VERIFIER_SUPPORT_CONTACT"])
def test_production_refuses_to_start_without_each_required_variable(tmp_path, missing):
    variables = production()
    del variables[missing]
    result = run_manage(tmp_path, "check", **variables)
    assert result.returncode != 0
    assert "production mode" in result.stderr and missing in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no key generated behind the operator's back


def test_debug_off_on_postgresql_is_production_mode(tmp_path):
    result = run_manage(tmp_path, "check", DATABASE_URL="postgres://vouch@127.0.0.1:5432/vouch")
    assert result.returncode != 0
    assert all(
        name in result.stderr for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "ALLOWED_HOSTS", "VERIFIER_SUPPORT_CONTACT")
    )
    seen = settings_of(
        tmp_path, "PRODUCTION", DATABASE_URL="postgres://vouch@127.0.0.1:5432/vouch", VOUCH_ENV="development"
    )
    assert seen == {"PRODUCTION": False}


def test_production_turns_https_settings_on_by_default(tmp_path):
    seen = settings_of(
        tmp_path,
        "PRODUCTION",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_TRUSTED_ORIGINS",
        **production(),
    )
    assert seen == {
        "PRODUCTION": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_TRUSTED_ORIGINS": ["https://vouch.example.org"],
    }
    seen = settings_of(
        tmp_path,
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        **production(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0", SECURE_COOKIES="off"),
    )
    assert seen == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0, "SESSION_COOKIE_SECURE": False}
    seen = settings_of(tmp_path, "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE")
    assert seen == {"SECURE_SSL_REDIRECT": False, "SESSION_COOKIE_SECURE": False}  # development: plain http works


def _test_database_url() -> str:
    """The test run's own (migrated) database: `check --deploy` reads the programs from it."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)  # no transaction of ours holding the SQLite file while the check reads it
def test_check_deploy_is_clean_in_production_mode(tmp_path):
    url = _test_database_url()
    # On PostgreSQL production mode is inferred (DEBUG off); on SQLite it is declared.
    mode = "" if url.startswith("postgres") else "production"
    result = run_manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production(
            DATABASE_URL=url, VOUCH_ENV=mode, EMAIL_HOST="smtp.example.org", EMAIL_PORT="587", EMAIL_USE_TLS="true"
        ),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr.upper()


@pytest.mark.django_db(transaction=True)
def test_check_deploy_reports_what_production_turns_off(tmp_path):
    """The check is real: switching the HTTPS settings off in production is reported."""
    result = run_manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production(DATABASE_URL=_test_database_url(), SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false"),
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


def test_secret_key_fallbacks_are_read(tmp_path):
    seen = settings_of(
        tmp_path,
        "SECRET_KEY_FALLBACKS",
        "COUPON_HASH_KEY_FALLBACKS",
        SECRET_KEY_FALLBACKS="old-key-one, old-key-two",
        COUPON_HASH_KEY_FALLBACKS="old-coupon-key",
    )
    assert seen == {
        "SECRET_KEY_FALLBACKS": ["old-key-one", "old-key-two"],
        "COUPON_HASH_KEY_FALLBACKS": ["old-coupon-key"],
    }


def test_a_generated_key_on_a_shared_database_is_warned_about_at_start_up(tmp_path):
    shared = run_manage(
        tmp_path,
        "check",
        DATABASE_URL="postgres://vouch@127.0.0.1:5432/vouch",
        VOUCH_ENV="development",
        LOG_FORMAT="text",
    )
    assert "SECRET_KEY is not set" in shared.stderr and "vouch.W001" in shared.stderr
    embedded = run_manage(tmp_path, "check", LOG_FORMAT="text")
    assert embedded.returncode == 0 and "SECRET_KEY is not set" not in embedded.stderr
    assert (tmp_path / "secret_key").exists()


def test_every_sqlite_database_gets_wal_immediate_transactions_and_a_busy_timeout(tmp_path):
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'vouch.settings'; django.setup();"
        "from django.db import connection; c = connection.cursor();"
        "print(connection.settings_dict['OPTIONS']['transaction_mode'], connection.settings_dict['OPTIONS']['timeout'],"
        " c.execute('PRAGMA journal_mode').fetchone()[0], connection.vendor)"
    )
    named = run_python(tmp_path, code, DATABASE_URL=f"sqlite:///{tmp_path / 'named.sqlite3'}")
    assert named.returncode == 0, named.stderr
    assert named.stdout.split() == ["IMMEDIATE", "20", "wal", "sqlite"]
    assert (tmp_path / "named.sqlite3").exists()
    default = run_python(tmp_path, code)
    assert default.stdout.split() == ["IMMEDIATE", "20", "wal", "sqlite"]


def test_public_base_url_follows_vouch_addr_unless_set(tmp_path):
    assert settings_of(tmp_path, "PUBLIC_BASE_URL", "ALLOWED_HOSTS", VOUCH_ADDR="127.0.0.2:8765") == {
        "PUBLIC_BASE_URL": "http://127.0.0.2:8765",
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "testserver", "127.0.0.2"],
    }
    assert settings_of(tmp_path, "PUBLIC_BASE_URL", "ALLOWED_HOSTS") == {
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "testserver"],
    }
    assert settings_of(tmp_path, "PUBLIC_BASE_URL", VOUCH_ADDR="[::1]:8080")["PUBLIC_BASE_URL"] == "http://[::1]:8080"
    assert (
        settings_of(tmp_path, "PUBLIC_BASE_URL", VOUCH_ADDR="0.0.0.0:9000")["PUBLIC_BASE_URL"]
        == "http://127.0.0.1:9000"
    )
    assert (
        settings_of(
            tmp_path, "PUBLIC_BASE_URL", VOUCH_ADDR="127.0.0.1:9000", PUBLIC_BASE_URL="https://vouch.example.org/"
        )["PUBLIC_BASE_URL"]
        == "https://vouch.example.org"
    )


def test_every_variable_read_is_listed_in_env_example_and_the_configuration_doc(tmp_path):
    names = settings_of(tmp_path, "ENV_NAMES")["ENV_NAMES"]
    assert len(names) > 40
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+?)(?:_FILE)?=", example, flags=re.MULTILINE))
    assert sorted(set(names) - listed) == []
    table = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert sorted(name for name in names if f"`{name}`" not in table) == []
