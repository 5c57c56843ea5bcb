"""Which client a login attempt comes from, as the throttle counts it (staff/login_throttle.py).

In production the portal listens on loopback behind a reverse proxy, so the connection's own address is
the proxy's. When PORTAL_TRUSTED_PROXY_HEADER names the header the proxy sets (X-Forwarded-For,
X-Real-IP), the client is the last address in it: the one the proxy itself saw, since anything before it
the client may have written. Unset (the default) the header is ignored: a client could otherwise claim a
fresh address for every guess. Set it only when every request does come through that proxy."""
from __future__ import annotations

import ipaddress

from aiohttp import web

from portal.keys import SETTINGS


def trusted_proxy_header(request: web.Request) -> str | None:
    """The header named by the portal's own settings (the ones it was started with), or None."""
    return request.app[SETTINGS].portal_trusted_proxy_header or None


def network_of(text: str | None) -> str | None:
    """The address as counted, or None if it is not one. IPv6 clients count per /64: a subscriber usually
    holds a whole /64 and could step through it, one address per guess."""
    try:
        address = ipaddress.ip_address((text or "").strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def client_address(request: web.Request) -> str:
    header = trusted_proxy_header(request)
    if header:
        sent = request.headers.getall(header, [])
        forwarded = network_of(sent[-1].split(",")[-1]) if sent else None
        if forwarded:
            return forwarded
    # Without the header (a request that did not come through the proxy) the connection decides.
    return network_of(request.remote) or "unknown"
