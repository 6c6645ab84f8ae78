"""The one factory for outgoing HTTP clients: explicit timeouts and connection limits.

Providers receive the client built here; they never construct their own, so tests can hand them one
built on ``httpx.MockTransport`` and the whole process shares one connection pool per vendor.
"""

from __future__ import annotations

import httpx

from framecast import __version__

USER_AGENT = f"framecast/{__version__}"


def build_http_client(
    *,
    base_url: str = "",
    connect_timeout_s: float = 10.0,
    read_timeout_s: float = 60.0,
    max_connections: int = 100,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An ``AsyncClient`` with a per-read timeout (streams set their own idle timeout on top)."""
    timeout = httpx.Timeout(connect=connect_timeout_s, read=read_timeout_s, write=60.0, pool=None)
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=min(max_connections, 20))
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        limits=limits,
        transport=transport,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
    )
