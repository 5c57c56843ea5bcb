"""python -m portal: serves the NLG endpoint and the widget page on loopback."""
from __future__ import annotations

import logging

from aiohttp import web

from portal.app import init_app
from settings import get_settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s portal %(levelname)s %(message)s")
    # aiohttp's access log lines carry client addresses and paths: not needed, so not written.
    settings = get_settings()
    web.run_app(init_app(settings), host=settings.host, port=settings.portal_port, access_log=None,
                print=None)


if __name__ == "__main__":
    main()
