"""Web app: FastAPI app factory, server-rendered pages, JSON API under ``/api/v1``."""
