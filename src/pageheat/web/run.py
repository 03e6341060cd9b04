"""Running the ASGI app under uvicorn, closing the stores cleanly after."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import uvicorn

from pageheat.web.server import build_app

if TYPE_CHECKING:
    from pageheat.app import Pageheat


def server(ph: Pageheat, **config: Any) -> uvicorn.Server:
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-* from 127.0.0.1
    # (or $FORWARDED_ALLOW_IPS) on its own; the app trusts exactly ``trusted_proxies``.
    cfg = uvicorn.Config(
        build_app(ph), host=ph.settings.host, port=ph.settings.port, log_level="warning",
        access_log=False, proxy_headers=False, **config,
    )  # fmt: skip
    return uvicorn.Server(cfg)


def serve(ph: Pageheat, *extra: uvicorn.Server) -> None:
    """Serve pageheat (and any extra servers, such as the demo site) until interrupted."""
    servers = [server(ph), *extra]

    async def main() -> None:
        await asyncio.gather(*(s.serve() for s in servers))

    try:
        asyncio.run(main())
    finally:
        ph.close()
