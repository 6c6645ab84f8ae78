"""Security headers on every answer: a Content-Security-Policy that fits our own scripts (no inline
script, nothing from another origin), no framing of our pages by anyone, ``nosniff`` and a
``Referrer-Policy``.

Our pages load only their own modules, styles and media from this server, open an EventSource and a
WebSocket back to it, and show ``blob:``/``data:`` previews of chosen files. The one page that embeds
another site is the Tutor's real-time page, which shows the Tavus room in a frame: only it allows
``frame-src`` for ``FRAMECAST_WEB__FRAME_SOURCES``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The page that embeds the Tavus room (web/routes/tutor_pages.py).
FRAMING_PAGES = ("/tutor/live",)


def content_security_policy(
    frame_sources: list[str] | tuple[str, ...] = (), media_origins: list[str] | tuple[str, ...] = ()
) -> str:
    """The policy of one answer; ``frame_sources`` are the origins it may show in a frame,
    ``media_origins`` where else its images and media may come from (the server's public address,
    which signed media links start with, when the page was opened under another one)."""
    frames = " ".join(frame_sources) if frame_sources else "'none'"
    media = "".join(f" {origin}" for origin in media_origins)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob:{media}",
            f"media-src 'self' data: blob:{media}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-src {frames}",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP answer that does not set them itself."""

    def __init__(self, app: ASGIApp, *, frame_sources: list[str], media_origins: list[str]) -> None:
        self.app = app
        self._plain = self._headers(content_security_policy(media_origins=media_origins))
        self._framing = self._headers(content_security_policy(frame_sources, media_origins))

    @staticmethod
    def _headers(policy: str) -> list[tuple[bytes, bytes]]:
        return [
            (b"content-security-policy", policy.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self._framing if scope["path"] in FRAMING_PAGES else self._plain

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in added if header[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
