"""The W3C Reconciliation API 0.2 over the organisation registry, for OpenRefine and other clients.

See docs/reconciliation.md.
"""

from api.reconcile.endpoints import router

__all__ = ["router"]
