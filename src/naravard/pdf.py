"""HTML to PDF with WeasyPrint (receipts, requisitions, reports)."""

from __future__ import annotations

from weasyprint import HTML

PRINT_CSS = """
@page { size: A4; margin: 20mm 18mm 22mm 18mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
th, td { border-bottom: 0.5pt solid #999; padding: 1.2mm 1.5mm; text-align: left;
         vertical-align: top; }
thead th { background: #eee; } .num { text-align: right; white-space: nowrap; }
tfoot th, tfoot td { font-weight: bold; border-top: 1pt solid #111; }
.meta { color: #444; font-size: 9pt; } .answer { white-space: pre-wrap; }
"""


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render a complete HTML document (already escaped) to PDF bytes.

    The document's own ``<style>`` comes after :data:`PRINT_CSS`; no network resources are
    fetched unless ``base_url`` points at them. The PDF is tagged (headings, paragraphs,
    tables and their header cells in the structure tree, the language of the document), so
    screen readers can read it in order.
    """
    document = html.replace("<head>", f"<head><style>{PRINT_CSS}</style>", 1)
    result = HTML(string=document, base_url=base_url).write_pdf(pdf_tags=True)
    assert result is not None
    return bytes(result)
