"""An import file from the upload form to an HSDS document: read from the request with a size cap, then
parsed (JSON, or a zip of CSV tables) by code that runs in a worker thread. Anything unreadable becomes
a BadUpload whose code names the reason for the page; nothing here writes to the database."""
from __future__ import annotations

import io
import json
import lzma
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from services_db.hsds_io import CSV_TABLES, UnreadableTable, read_csv

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_REQUEST_BYTES = MAX_IMPORT_BYTES + 64 * 1024  # with the token and the multipart framing
MAX_TOKEN_BYTES = 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
# zipfile reports a damaged member in many ways: a failed checksum, a broken compressed stream, a member
# that ends early, a compression method it does not know (which is also how WinZip's AES shows).
DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, ValueError, OSError,
               struct.error)
ENCRYPTED = 0x1  # general purpose flag bit 0


class BadUpload(ValueError):
    """The upload is not a file we can read. `code` names why for the page, `member` the file in the zip."""

    def __init__(self, code: str, member: str | None = None) -> None:
        super().__init__(code)
        self.code, self.member = code, member


async def read_upload(request: web.Request) -> tuple[str, str, bytes]:
    """(csrf token, file name, file bytes) from the multipart form, as a stream, refusing oversized files
    early. The body must declare its length, as browsers do for every upload: aiohttp's multipart parser
    reads part headers for as long as a body lasts, so a chunked one could hold memory without end."""
    if request.content_type != "multipart/form-data":
        raise BadUpload("no_file")
    if request.content_length is None:
        raise web.HTTPLengthRequired()
    if request.content_length > MAX_IMPORT_REQUEST_BYTES:
        raise BadUpload("too_big")  # refused before a byte of it is read
    try:
        return await _read_parts(request)
    except BadUpload:
        raise
    except (ValueError, AssertionError, RuntimeError, LookupError):
        # How aiohttp's multipart reader meets a body that is not one: no boundary, cut short, bad headers.
        raise BadUpload("bad_form") from None


async def _read_capped(part: BodyPartReader, limit: int) -> bytes | None:
    """The part's bytes, or None as soon as there are more than `limit` of them."""
    chunks, size = [], 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_parts(request: web.Request) -> tuple[str, str, bytes]:
    token, filename, data = "", "", b""
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader):
            raise BadUpload("bad_form")  # a multipart inside the form
        if part.name == "csrf_token":
            raw = await _read_capped(part, MAX_TOKEN_BYTES)
            if raw is None:
                return "", "", b""  # no token of ours is this long: refused as a wrong one, the rest unread
            token = raw.decode("utf-8", "replace")
        elif part.name == "file":
            filename = part.filename or ""
            read = await _read_capped(part, MAX_IMPORT_BYTES)
            if read is None:
                raise BadUpload("too_big")
            data = read
        # Any other part is skipped by the reader, read and dropped: within the Content-Length.
    return token, filename, data


def document_from_upload(filename: str, data: bytes) -> Any:
    """The uploaded file as a document for validation. Slow for big files: call it in a worker thread."""
    if filename.lower().endswith(".json"):
        try:
            return json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep
            raise BadUpload("not_json") from None
    if filename.lower().endswith(".zip"):
        return _document_from_zip(data)
    raise BadUpload("unknown_format")


def _document_from_zip(data: bytes) -> Any:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {Path(info.filename).name: info for info in archive.infolist()
                   if Path(info.filename).stem in CSV_TABLES and info.filename.endswith(".csv")}
    except DAMAGED_ZIP:
        raise BadUpload("not_csv_zip") from None
    if not members:
        raise BadUpload("not_csv_zip")
    # The sizes the zip declares: zipfile never unpacks more than a member declares, so they bound memory.
    if sum(info.file_size for info in members.values()) > MAX_UNZIPPED_BYTES:
        raise BadUpload("too_big_unzipped")
    with tempfile.TemporaryDirectory() as folder:
        for name, info in members.items():
            if info.flag_bits & ENCRYPTED:
                raise BadUpload("encrypted_zip", name)
            try:
                content = archive.read(info)
            except DAMAGED_ZIP:  # before RuntimeError: NotImplementedError is one
                raise BadUpload("damaged_zip", name) from None
            except RuntimeError:  # zipfile's word for "this member needs a password"
                raise BadUpload("encrypted_zip", name) from None
            (Path(folder) / name).write_bytes(content)
        try:
            return read_csv(Path(folder))
        except UnreadableTable as error:
            raise BadUpload("not_utf8_csv" if error.reason == "not_utf8" else "bad_csv", f"{error.table}.csv") from None
