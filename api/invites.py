"""Hosted invites: a link to Vouch's own pages for one applicant, prefilled by the partner, that leads back to the
partner when the application is submitted. Rules: partners/invites.py."""

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema

from api.auth import request_partner, scoped
from api.idempotency import idempotent_response
from api.schemas import AUTH_ERRORS
from partners.invites import DEFAULT_HOURS, MAX_HOURS, invite_create, invite_get, invite_state, invite_url
from partners.models import Invite

router = Router(tags=["invites"])


class PrefillIn(Schema):
    email: str = Field("", max_length=254)
    org_id: str = Field("", max_length=48, description="An organisation of the registry, e.g. US-EIN-020713689")
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$", description="ISO 3166-1 alpha-2")
    language: Literal["en", "fr"] = "en"


class InviteIn(Schema):
    redirect_url: str = Field(
        ...,
        max_length=2000,
        description="https:// (http:// only for localhost); the status "
        "page links back to it with vouch_reference, vouch_status, vouch_invite, external_id",
    )
    expires_in_hours: int = Field(DEFAULT_HOURS, ge=1, le=MAX_HOURS)
    prefill: PrefillIn | None = None
    external_id: str = Field("", max_length=200, description="The partner's own id, echoed back")


class PrefillOut(Schema):
    email: str
    org_id: str
    country: str
    language: str


class InviteOut(Schema):
    id: str
    url: str | None = Field(..., description="The hosted journey; null once used or expired")
    state: Literal["pending", "used", "expired"]
    expires_at: datetime
    created_at: datetime
    used_at: datetime | None
    redirect_url: str
    external_id: str
    prefill: PrefillOut
    application_reference: str | None


def invite_out(invite: Invite) -> dict:
    state = invite_state(invite)
    return {
        "id": invite.public_id,
        "url": invite_url(invite) if state == "pending" else None,
        "state": state,
        "expires_at": invite.expires_at,
        "created_at": invite.created_at,
        "used_at": invite.used_at,
        "redirect_url": invite.redirect_url,
        "external_id": invite.external_id,
        "prefill": {
            "email": invite.prefill_email,
            "org_id": invite.prefill_org_id,
            "country": invite.prefill_country,
            "language": invite.language,
        },
        "application_reference": invite.application.reference if invite.application_id else None,
    }


@router.post(
    "/invites",
    auth=scoped("applications:write"),
    response={201: InviteOut, **AUTH_ERRORS},
    summary="Create a link to the hosted journey for one applicant",
)
def invites_create(request, payload: InviteIn):
    def work():
        prefill = payload.prefill or PrefillIn()
        invite = invite_create(
            partner=request_partner(request),
            api_key=request.auth,
            redirect_url=payload.redirect_url,
            expires_in_hours=payload.expires_in_hours,
            email=prefill.email,
            org_id=prefill.org_id,
            country=prefill.country,
            language=prefill.language,
            external_id=payload.external_id,
        )
        return 201, InviteOut(**invite_out(invite))

    return idempotent_response(request, work)


@router.get(
    "/invites/{invite_id}",
    auth=scoped("applications:read"),
    response={200: InviteOut, **AUTH_ERRORS},
    summary="An invite's state, and the application it started",
)
def invites_get(request, invite_id: str):
    return invite_out(invite_get(partner=request_partner(request), public_id=invite_id))
