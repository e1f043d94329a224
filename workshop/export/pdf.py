"""A tool version as a printable PDF, typeset by WeasyPrint from the HTML export."""

from __future__ import annotations

from ..core.content import ToolContent
from ..core.drafts import VersionInfo
from . import html

#: Debian packages WeasyPrint needs (Pango, HarfBuzz with its subsetter, fonts with Arabic and Hebrew).
SYSTEM_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core")


def html_to_pdf(page: str) -> bytes:
    """Typeset a standalone HTML page (with its print stylesheet) as a PDF document."""
    try:
        # Imported here: WeasyPrint is slow to import and needs Pango, which only PDF output uses.
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # a missing system library
        raise RuntimeError(
            f"PDF export needs WeasyPrint's system libraries ({', '.join(SYSTEM_PACKAGES)}): {exc}"
        ) from exc
    # The page embeds everything it needs; refuse any other URL so rendering never reaches the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=page, url_fetcher=fetcher, media_type="print").write_pdf()
    return pdf


def render(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as a PDF document."""
    return html_to_pdf(html.render_page(content, info))


def html_to_pdf_in_child(page: str, timeout: float = 300) -> bytes:
    """Typeset in a child process, so a long PDF never stalls a server's event loop (or its other users)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "workshop.export.pdf"], input=page.encode("utf-8"), capture_output=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            done.stderr.decode("utf-8", "replace").strip().splitlines()[-1] if done.stderr else "PDF failed"
        )
    return done.stdout


if __name__ == "__main__":  # the child: HTML on standard input, PDF on standard output
    import sys

    sys.stdout.buffer.write(html_to_pdf(sys.stdin.buffer.read().decode("utf-8")))
