"""What an email's domain says about who sent it: the organisation's own domain, free mail, or a disposable inbox.

Domains are compared by their registered domain (`mail.charity.org.uk` -> `charity.org.uk`), found with the public
suffix list that ships inside tldextract: never fetched from the network, so checks give the same answer on a
machine without internet access and in tests.
"""

from functools import lru_cache

import tldextract
from disposable_email_domains import blocklist

# Free-mail providers: anyone can open an address there, so an address on them says nothing about the organisation.
# Exact registered domains, then providers present under many country suffixes (hotmail.fr, yahoo.co.uk, gmx.de).
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "outlook.fr",
        "live.com",
        "live.fr",
        "live.co.uk",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
        "tutanota.com",
        "tuta.io",
        "aol.com",
        "aim.com",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "fastmail.com",
        "hey.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "laposte.net",
        "sfr.fr",
        "neuf.fr",
        "bbox.fr",
        "numericable.fr",
        "btinternet.com",
        "btopenworld.com",
        "sky.com",
        "virginmedia.com",
        "ntlworld.com",
        "talktalk.net",
        "blueyonder.co.uk",
        "bigpond.com",
        "bigpond.net.au",
        "optusnet.com.au",
        "comcast.net",
        "verizon.net",
        "att.net",
        "sbcglobal.net",
        "bellsouth.net",
        "cox.net",
        "charter.net",
        "earthlink.net",
        "qq.com",
        "163.com",
        "web.de",
        "t-online.de",
        "libero.it",
        "rediffmail.com",
    }
)
# Only names no organisation would use as its own domain under another suffix ("live", "outlook" might be).
FREE_MAIL_PROVIDERS = frozenset({"hotmail", "yahoo", "ymail", "gmx"})

_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def domain_of(text: str) -> str:
    """The host part of an email address, a URL or a bare domain, lower case, without a trailing dot."""
    text = (text or "").strip().lower()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    if "://" in text:
        text = text.split("://", 1)[1]
    return text.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0].rstrip(".")


@lru_cache(maxsize=4096)
def registered_domain(text: str) -> str:
    """`charity.org.uk` for `jo@mail.charity.org.uk` or `https://www.charity.org.uk/about`; '' when there is none."""
    host = domain_of(text)
    return _extract(host).top_domain_under_public_suffix if host else ""


def is_free_mail(text: str) -> bool:
    domain = registered_domain(text)
    if not domain:
        return False
    return domain in FREE_MAIL_DOMAINS or _extract(domain).domain in FREE_MAIL_PROVIDERS


def is_disposable(text: str) -> bool:
    # The blocklist holds registered domains mostly, and a few hosts below them: try both.
    host = domain_of(text)
    return bool(host) and (host in blocklist or registered_domain(host) in blocklist)
