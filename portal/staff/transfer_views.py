"""An organisation's listings out and in, as HSDS JSON or CSV (a zip of one file per table).

An import replaces the organisation's listings with the file's, in one transaction with its audit entry.
It may only name this organisation, and no listing or location that belongs to another one."""
from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select

from portal.keys import DB_SESSIONS
from portal.staff.pages import forbidden, render
from portal.staff.security import CSRF, actor_of, tokens_match
from services_db.hsds_io import CSV_TABLES, export_from_session, import_into_session, read_csv, write_csv
from services_db.hsds_validation import Problem, ValidationFailed
from services_db.models import Location, Organization, Service
from staff.audit import record_change

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024


class BadUpload(ValueError):
    """The upload is not a file we can read; the code names why for the page."""


def _organization_id(request: web.Request, write: bool) -> str:
    organization_id = request.match_info["organization_id"]
    actor = actor_of(request)
    with request.app[DB_SESSIONS]() as db:
        if db.get(Organization, organization_id) is None:
            raise web.HTTPNotFound(text="No such organisation.")
    if not (actor.can_write(organization_id) if write else actor.can_read(organization_id)):
        raise forbidden()
    return organization_id


async def export_json(request: web.Request) -> web.Response:
    organization_id = _organization_id(request, write=False)
    with request.app[DB_SESSIONS]() as db:
        document = export_from_session(db, [organization_id])
    body = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    return web.Response(text=body, content_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{organization_id}.hsds.json"'})


async def export_csv(request: web.Request) -> web.Response:
    organization_id = _organization_id(request, write=False)
    with request.app[DB_SESSIONS]() as db:
        document = export_from_session(db, [organization_id])
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        write_csv(document, Path(folder))
        for table in CSV_TABLES:
            archive.write(Path(folder) / f"{table}.csv", f"{table}.csv")
    return web.Response(body=buffer.getvalue(), content_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{organization_id}.hsds-csv.zip"'})


def _document_from_upload(filename: str, data: bytes) -> Any:
    if filename.lower().endswith(".json"):
        try:
            return json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise BadUpload("not_json") from None
    if filename.lower().endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = {Path(info.filename).name: info for info in archive.infolist()
                       if Path(info.filename).stem in CSV_TABLES and info.filename.endswith(".csv")}
            if not members or sum(info.file_size for info in members.values()) > MAX_UNZIPPED_BYTES:
                raise BadUpload("not_csv_zip")
            with tempfile.TemporaryDirectory() as folder:
                for name, info in members.items():
                    (Path(folder) / name).write_bytes(archive.read(info))
                return read_csv(Path(folder))
        except (zipfile.BadZipFile, UnicodeDecodeError, ValueError):
            raise BadUpload("not_csv_zip") from None
    raise BadUpload("unknown_format")


def _foreign_records(db: Any, organization_id: str, document: Any) -> list[Problem]:
    """Records of the file that would land in, or take over, another organisation."""
    problems = []
    for org in document.get("organizations") or []:
        if isinstance(org, dict) and org.get("id") != organization_id:
            problems.append(Problem("organization", str(org.get("id")), "id", "is not your organisation"))
    if not any(isinstance(org, dict) and org.get("id") == organization_id
               for org in document.get("organizations") or []):
        problems.append(Problem("organization", organization_id, "id", "the file must contain your organisation"))
    for table, model in (("services", Service), ("locations", Location)):
        records = [r for r in document.get(table) or [] if isinstance(r, dict)]
        for record in records:
            if record.get("organization_id") != organization_id:
                problems.append(Problem(table[:-1], str(record.get("id")), "organization_id",
                                        "is not your organisation"))
        ids = [str(r.get("id")) for r in records]
        owners = db.execute(select(model.id, model.organization_id).where(model.id.in_(ids))).all() if ids else []
        for record_id, owner in owners:
            if owner != organization_id:
                problems.append(Problem(table[:-1], record_id, "id", "belongs to another organisation"))
    return problems


async def _read_upload(request: web.Request) -> tuple[str, str, bytes]:
    """(csrf token, file name, file bytes) from the multipart form, refusing oversized files early."""
    if request.content_type != "multipart/form-data":
        raise BadUpload("no_file")
    reader = await request.multipart()
    token, filename, data = "", "", b""
    async for part in reader:
        if part.name == "csrf_token":
            token = (await part.read(decode=True)).decode("utf-8", "replace")[:128]
        elif part.name == "file":
            filename = part.filename or ""
            chunks, size = [], 0
            while chunk := await part.read_chunk():
                size += len(chunk)
                if size > MAX_IMPORT_BYTES:
                    raise BadUpload("too_big")
                chunks.append(chunk)
            data = b"".join(chunks)
    return token, filename, data


async def import_listings(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization_id = _organization_id(request, write=True)
    context: dict[str, Any] = {"organization_id": organization_id}
    try:
        token, filename, data = await _read_upload(request)
        if not tokens_match(request.get(CSRF), token):
            raise web.HTTPForbidden(text="This form has expired. Go back, reload the page and try again.")
        if not data:
            raise BadUpload("no_file")
        document = _document_from_upload(filename, data)
        if not isinstance(document, dict):
            raise BadUpload("not_hsds")
        with request.app[DB_SESSIONS].begin() as db:
            foreign = _foreign_records(db, organization_id, document)
            if foreign:
                raise ValidationFailed(foreign)
            before = export_from_session(db, [organization_id])
            counts = import_into_session(db, document)
            db.flush()
            record_change(db, actor, "import", "organization", organization_id, organization_id, before,
                          export_from_session(db, [organization_id]))
        context["counts"] = counts
        status = 200
    except BadUpload as error:
        context["upload_error"], status = str(error), 400
    except ValidationFailed as failure:
        context["problems"], status = failure.problems, 400
    return render(request, "import_result.html", context, status=status)
