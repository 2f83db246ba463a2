from ninja import NinjaAPI

from api import errors
from api.organisations import router as organisations_router

api = NinjaAPI(
    title="Vouch API",
    version="1",
    urls_namespace="api-v1",
    description="Registry search, verification and coupons for nonprofit discount programs.",
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", organisations_router)
api.add_router("/reconcile", "api.reconcile.router")
api.add_router("/", "api.webhooks.router")
api.add_router("/", "api.applications.router")
api.add_router("/", "api.invites.router")
api.add_router("/", "api.coupons.router")
api.add_router("/", "api.receipts.router")
api.add_router("/", "api.programs.router")
api.add_router("/", "api.precheck.router")
