"""``naravard serve``: run the web app."""

from __future__ import annotations

import threading

import typer
import uvicorn

from naravard.cli.common import console


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    proxy_headers: bool = typer.Option(
        False, help="Trust X-Forwarded-* from a reverse proxy (https termination)."
    ),
) -> None:
    """Serve the web app (database from NARAVARD_DATABASE_URL)."""
    from naravard.indicators.charts import warm

    console.print(f"Nära is served on [bold]http://{host}:{port}[/bold]  (Ctrl+C stops)")
    # the chart libraries load while the server starts, not on the first page with a chart
    threading.Thread(target=warm, name="warm-charts", daemon=True).start()
    uvicorn.run("naravard.web.app:create_app", factory=True, host=host, port=port,
                proxy_headers=proxy_headers, log_level="info")


def register(root: typer.Typer) -> None:
    """Add ``serve`` to the root command."""
    root.command("serve")(serve)
