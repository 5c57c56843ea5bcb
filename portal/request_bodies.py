"""Request bodies: too big is a 413 before it is read, malformed is a 400, never a 500.

aiohttp (< 3.10) checks client_max_size on a multipart form one field at a time, and only after reading
the field whole: twenty-five fields of 200 KB pass, and one field of 5 MB sits in memory before the 413.
Its parsers also raise on invalid UTF-8, an unknown charset or a missing boundary, which would be a 500.
So the portal reads forms itself:

- a body whose Content-Length is over the limit is refused before a byte of it is read;
- a body without one (chunked) is read by request.read(), which stops at client_max_size;
- the at most 256 KB read are parsed here (multipart with the standard library's MIME parser), and
  anything that is not a plain form is a 400.

Views read their form with read_form(); a view that reads its own body (the file import, whose limit is
5 MB) is marked with @reads_its_own_body and checks its size itself."""
from __future__ import annotations

from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Awaitable, Callable, TypeVar
from urllib.parse import parse_qsl

from aiohttp import hdrs, web
from multidict import MultiDict, MultiDictProxy

MAX_FORM_BYTES = 256 * 1024  # far above any form or NLG request; the file import has its own limit
FORM = "portal_form"
_OWN_BODY = "reads_its_own_body"
FORM_TYPES = ("", "application/x-www-form-urlencoded", "multipart/form-data")
# Form fields come as they are: no compression (a small body could unpack to gigabytes) and no transfer
# encodings, which RFC 7578 retired and browsers never send.
PLAIN_TRANSFER = ("", "7bit", "8bit", "binary")

View = TypeVar("View", bound=Callable[[web.Request], Awaitable[web.StreamResponse]])
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def reads_its_own_body(view: View) -> View:
    """Marks a view that reads and size-checks its body itself."""
    setattr(view, _OWN_BODY, True)
    return view


def reads_own_body(request: web.Request) -> bool:
    return bool(getattr(request.match_info.handler, _OWN_BODY, False))


def refuse_declared_oversize(request: web.Request, limit: int) -> None:
    """A 413 from the Content-Length alone, before anything of the body is read."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=declared)


@web.middleware
async def limit_request_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every route: a declared body over the limit is refused unread (aiohttp only counts while reading)."""
    if not reads_own_body(request):
        refuse_declared_oversize(request, MAX_FORM_BYTES)
    return await handler(request)


def _multipart_fields(content_type: str, body: bytes) -> list[tuple[str, str]]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart() or message.defects:
        raise ValueError("not a multipart form")
    fields = []
    for part in message.iter_parts():
        if part.is_multipart() or part.defects or part.get_content_disposition() != "form-data":
            raise ValueError("not a form field")
        if part.get("Content-Encoding", "identity").lower() != "identity" \
                or part.get("Content-Transfer-Encoding", "").lower() not in PLAIN_TRANSFER:
            raise ValueError("encoded form field")
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("form field without a name")
        if part.get_filename() is not None:
            continue  # no staff form has a file field; the import reads its own body
        payload = part.get_payload(decode=True) or b""
        fields.append((name, payload.decode(part.get_content_charset() or "utf-8")))
    return fields


async def read_form(request: web.Request) -> MultiDictProxy[str]:
    """The request's form fields (text only), read once and kept on the request."""
    cached = request.get(FORM)
    if cached is not None:
        return cached
    fields: MultiDict[str] = MultiDict()
    if request.method == hdrs.METH_POST and request.content_type in FORM_TYPES:
        refuse_declared_oversize(request, MAX_FORM_BYTES)
        body = await request.read()  # stops with a 413 at client_max_size (MAX_FORM_BYTES), chunked or not
        try:
            if request.content_type == "multipart/form-data":
                fields.extend(_multipart_fields(request.headers.get(hdrs.CONTENT_TYPE, ""), body))
            elif body:
                charset = request.charset or "utf-8"
                fields.extend(parse_qsl(body.decode(charset).rstrip(), keep_blank_values=True, encoding=charset))
        except (ValueError, LookupError):  # UnicodeDecodeError is a ValueError; LookupError: unknown charset
            raise web.HTTPBadRequest() from None
    request[FORM] = MultiDictProxy(fields)
    return request[FORM]
