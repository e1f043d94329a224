"""A tool version as a printable PDF, typeset by WeasyPrint from the HTML export."""

from __future__ import annotations

from ..core.content import ToolContent
from ..core.drafts import VersionInfo
from . import html

#: Debian packages WeasyPrint needs (Pango, HarfBuzz with its subsetter, fonts with Arabic and Hebrew).
SYSTEM_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core")


def render(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as a PDF document."""
    try:
        # Imported here: WeasyPrint is slow to import and needs Pango, which only this format uses.
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # a missing system library
        raise RuntimeError(
            f"PDF export needs WeasyPrint's system libraries ({', '.join(SYSTEM_PACKAGES)}): {exc}"
        ) from exc
    # The page embeds everything it needs; refuse any other URL so rendering never reaches the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html.render_page(content, info), url_fetcher=fetcher, media_type="print")
    pdf: bytes = document.write_pdf()
    return pdf
