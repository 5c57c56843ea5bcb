"""Database work off the event loop. Every SQLAlchemy call blocks the thread it runs in: on the event loop,
a slow disk, a write lock held by a big import or a database failing over would stall every request of
the portal at once, health checks and the widget's files included. So views only parse the request,
await `in_unit_of_work(request, use_case, ...)`, which runs the use case in a worker thread inside one
unit of work (services_db/unit_of_work.py), and turn its result into a response. A record that is not
there, or not the actor's, comes back as the HTTP error the page shows."""
from __future__ import annotations

import asyncio
from typing import Callable, Concatenate, ParamSpec, TypeVar

from aiohttp import web

from portal.keys import DB_SESSIONS
from services_db.unit_of_work import Forbidden, NotFound, UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")
NOT_FOUND = {"organization": "No such organisation.", "service": "No such listing."}
FORBIDDEN = "Your account may not see or change this."  # as portal.staff.pages.forbidden() says it


async def off_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """work(*args) in a worker thread (the loop's default executor), for blocking calls that are not a
    unit of work of the portal's own database, such as the directory's nearest search."""
    return await asyncio.to_thread(work, *args, **kwargs)


async def in_unit_of_work(request: web.Request, work: Callable[Concatenate[UnitOfWork, P], T],
                          *args: P.args, **kwargs: P.kwargs) -> T:
    """work(uow, *args) in a worker thread, in a unit of work on the portal's database: committed when it
    returns, rolled back when it raises. NotFound and Forbidden become 404 and 403."""
    sessions = request.app[DB_SESSIONS]

    def run() -> T:
        with UnitOfWork(sessions) as uow:
            return work(uow, *args, **kwargs)

    try:
        return await off_loop(run)
    except NotFound as missing:
        raise web.HTTPNotFound(text=NOT_FOUND.get(missing.what, "Not found.")) from None
    except Forbidden:
        raise web.HTTPForbidden(text=FORBIDDEN) from None
