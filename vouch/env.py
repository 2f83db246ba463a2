"""Strict reading of Vouch's settings from the environment (and an optional `.env` file).

django-environ reads the variables: `NAME_FILE` (a path whose content is the value, for secrets) wins over `NAME`,
and `.env` fills in what the real environment does not set. Its casts are lenient (`DEBUG=maybe` is False, a bad
integer raises a bare ValueError), so the casting is done here: every malformed value is recorded with the name of
its variable, and `Env.raise_errors()` stops start-up with one message listing all of them.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from environ.fileaware_mapping import FileAwareMapping


class ConfigurationError(ImproperlyConfigured):
    """The environment does not describe a configuration Vouch can start with (the message lists why)."""


TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def dotenv_load(path: Path) -> None:
    """Load `path` into the process environment when it exists; variables already set are kept (they win)."""
    if path.is_file():
        environ.Env.read_env(str(path), overwrite=False)


class Env:
    """Typed, strict getters. A malformed value is recorded (not raised at once) and its default returned, so that
    one start-up reports every mistake; call `raise_errors()` once all settings are read."""

    def __init__(self, environ_mapping=None):
        self._source = os.environ if environ_mapping is None else environ_mapping
        self._values = FileAwareMapping(env=self._source, cache=False)
        self.errors: list[str] = []
        self.names: set[str] = set()  # every variable read, for the documentation test

    # -- raw access -----------------------------------------------------------------------------------------------
    def raw(self, name: str) -> str | None:
        """The value as text (from NAME_FILE or NAME), surrounding whitespace removed; None when unset or empty."""
        self.names.add(name)
        try:
            value = self._values[name]
        except KeyError:
            return None
        except OSError as exc:
            self.errors.append(f"{name}_FILE: cannot read {self._source.get(name + '_FILE')!r} ({exc.strerror})")
            return None
        value = value.strip()
        return value or None

    def is_set(self, name: str) -> bool:
        return self.raw(name) is not None

    def _bad(self, name: str, expected: str, value: str, default):
        self.errors.append(f"{name}: expected {expected}, got {value!r}")
        return default

    # -- typed getters --------------------------------------------------------------------------------------------
    def text(self, name: str, default: str = "") -> str:
        value = self.raw(name)
        return default if value is None else value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        return self._bad(name, "true or false (also 1/0, yes/no, on/off)", value, default)

    def integer(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value.replace("_", ""))
        except ValueError:
            return self._bad(name, "a whole number", value, default)
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            return self._bad(name, f"a whole number {bounds}", value, default)
        return number

    def items(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self.raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() not in choices:
            return self._bad(name, "one of " + ", ".join(choices), value, default)
        return value.lower()

    def url(self, name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https")) -> str:
        """An absolute URL with one of `schemes` and a host; returned without a trailing slash."""
        value = self.raw(name)
        if value is None:
            return default
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.netloc:
            return self._bad(name, f"an absolute {'/'.join(schemes)} URL", value, default)
        return value.rstrip("/")

    def networks(self, name: str, default: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """A comma-separated list of IP addresses or networks (CIDR)."""
        result = []
        for item in self.items(name, default):
            try:
                result.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self._bad(name, "IP addresses or networks (e.g. 127.0.0.1, 10.0.0.0/8)", item, None)
        return result

    def database(self, name: str) -> dict | None:
        """A database URL parsed into a Django DATABASES entry (None when unset)."""
        value = self.raw(name)
        if value is None:
            return None
        try:
            config = environ.Env.db_url_config(value)
        except (ImproperlyConfigured, KeyError, ValueError) as exc:
            return self._bad(
                name,
                f"a database URL such as postgres://user:password@host:5432/vouch ({exc})",
                value.split("@")[-1],
                None,
            )
        if config.get("ENGINE") not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
            return self._bad(name, "a postgres:// or sqlite:/// URL", value.split("@")[-1], None)
        return config

    # -- end --------------------------------------------------------------------------------------------------------
    def raise_errors(self) -> None:
        if self.errors:
            listing = "\n".join(f"  - {error}" for error in self.errors)
            raise ConfigurationError(
                f"Vouch cannot start, its configuration is invalid:\n{listing}\n"
                "See .env.example and docs/configuration.md."
            )
