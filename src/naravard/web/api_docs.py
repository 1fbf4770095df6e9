"""The interactive API description (Swagger UI), served from the package: no CDN needed.

The page loads Swagger UI's own files (from the ``swagger-ui-bundle-v2`` package, mounted at
``/static/swagger-ui``) and a small start script of ours, so scripts stay limited to this
origin; only inline styles, which Swagger UI sets on its elements, are allowed on this page.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/api/v1/docs"
ASSETS = "/static/swagger-ui"
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
"""Content security policy of the docs page."""


def docs_page(title: str, openapi_url: str) -> str:
    """The HTML of the docs page for the description at ``openapi_url``."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi="{escape(openapi_url)}"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def add_docs(app: FastAPI) -> None:
    """Serve the docs page at :data:`DOCS_PATH` and Swagger UI's files at :data:`ASSETS`."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    page = docs_page(f"{app.title} – API", app.openapi_url or "/api/v1/openapi.json")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(page)
