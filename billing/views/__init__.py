"""The store's pages: customer accounts (accounts.py) and the plans-and-prices page (catalog.py)."""
