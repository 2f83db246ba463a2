"""The applicant's pages: the journey (journey.py) and the status page (status.py)."""
