"""Compressed responses: pages, scripts and styles go out as brotli or gzip when the browser accepts it.

Phones on venue Wi-Fi pay for every byte. Socket.IO is untouched: its requests are answered by the
Engine.IO middleware before Flask (and compress their own polling responses); only Flask's responses
pass through here. Static files get a short cache life so a reload costs revalidation, not downloads.
"""

from __future__ import annotations

from typing import Any

from flask_compress import Compress

#: Text types worth compressing (images such as the QR code's SVG included).
MIMETYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]
#: Seconds a browser may reuse a static file before asking again (then it revalidates by ETag).
STATIC_MAX_AGE = 300

compress = Compress()


def init_app(app: Any) -> None:
    """Compress the app's text responses and set how long static files are cached."""
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Static files are sent as streams; brotli streams well and every browser we serve reads it.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_MIN_SIZE", 512)
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE
    compress.init_app(app)
