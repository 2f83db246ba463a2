"""The preview card: a small HTML page a client shows in an iframe next to a candidate.

Every registry value is escaped (names come from public registers and anyone can register one), and the page
may load nothing: its Content-Security-Policy allows no script, no image, no request.
"""

import base64
import hashlib

from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext

from registry.models import Organisation

WIDTH = 400
HEIGHT = 180
_STYLE = (
    "body{font:13px/1.4 system-ui,sans-serif;margin:8px;color:#222}h1{font-size:15px;margin:0 0 6px}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 8px;margin:0}dt{color:#666}dd{margin:0}"
)
# Its one inline style is allowed by its hash (no 'unsafe-inline': nothing else inline can apply).
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
_POLICY = f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'"


def preview_response(*, organisation: Organisation, view_url: str) -> HttpResponse:
    o = organisation
    status = gettext("Active") if o.is_active else gettext("Removed")
    address = ", ".join(part for part in (o.street, o.city, o.region, o.postcode, o.country) if part)
    facts = [
        (gettext("Identifier"), o.org_id),
        (gettext("Registry number"), o.registry_number),
        (gettext("Status"), status),
        (gettext("Address"), address),
    ]
    if o.other_names:
        facts.append((gettext("Other names"), "; ".join(str(n.get("name", "")) for n in o.other_names[:5])))
    body = format_html(
        '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><title>{}</title><style>{}</style></head>'
        '<body><h1>{}</h1><dl>{}</dl><p><a href="{}" target="_blank" rel="noopener noreferrer">{}</a></p>'
        "</body></html>",
        get_language() or "en",
        o.name,
        _STYLE,
        o.name,
        format_html_join("", "<dt>{}</dt><dd>{}</dd>", facts),
        view_url,
        gettext("Open in Vouch"),
    )
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = _POLICY
    response.xframe_options_exempt = True  # it exists to be framed by the client's page
    return response
