"""An organisation's listings out and in, as HSDS JSON or CSV (a zip of one file per table).

An import replaces the organisation's listings with the file's, in one transaction with its audit entry.
It may only name this organisation, and no listing, location, phone, schedule, language or location link
that belongs to another one. Reading, checking and writing a file of up to 50 MB of CSV takes seconds:
all of it runs in a worker thread, so that the portal (and the bot's replies) keep being served."""
from __future__ import annotations

import asyncio
import io
import json
import logging
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterator

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from portal.keys import DB_SESSIONS
from portal.request_bodies import reads_its_own_body
from portal.staff.pages import forbidden, render
from portal.staff.security import CSRF, actor_of, tokens_match
from portal.staff.uploads import BadUpload, document_from_upload, read_upload
from services_db.hsds_io import CSV_TABLES, export_from_session, import_into_session, write_csv
from services_db.hsds_validation import CHILD_TABLES, Problem, ValidationFailed, child_id, validate_document
from services_db.models import Language, Location, Organization, Phone, Schedule, Service, ServiceAtLocation
from staff.audit import record_change
from staff.roles import Actor

logger = logging.getLogger(__name__)
CHILD_MODELS = {"phones": Phone, "schedules": Schedule, "languages": Language, "service_at_locations": ServiceAtLocation}
IN_BATCH = 500  # ids per IN (...): SQLite allows a few thousand bound values per statement, a file has more
SHOWN_PROBLEMS = 200  # a file can have a million; the page lists the first ones and counts the rest


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


def _batches(ids: set[str]) -> Iterator[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), IN_BATCH):
        yield ordered[start:start + IN_BATCH]


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list; validation reports anything else, this check just skips it."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _foreign_records(db: Session, organization_id: str, document: dict[str, Any]) -> list[Problem]:
    """Records of the file that would land in, or take over, another organisation. Runs on files that
    failed validation too, so that one pass reports every problem."""
    problems = []
    organizations = _objects(document.get("organizations"))
    for org in organizations:
        if org.get("id") != organization_id:
            problems.append(Problem("organization", str(org.get("id")), "id", "is not your organisation"))
    if not any(org.get("id") == organization_id for org in organizations):
        problems.append(Problem("organization", organization_id, "id", "the file must contain your organisation"))
    for table, model in (("services", Service), ("locations", Location)):
        records = _objects(document.get(table))
        for record in records:
            if record.get("organization_id") != organization_id:
                problems.append(Problem(table[:-1], str(record.get("id")), "organization_id",
                                        "is not your organisation"))
        for batch in _batches({r["id"] for r in records if isinstance(r.get("id"), str)}):
            for record_id, owner in db.execute(select(model.id, model.organization_id).where(model.id.in_(batch))):
                if owner != organization_id:
                    problems.append(Problem(table[:-1], record_id, "id", "belongs to another organisation"))
    # A service's own records have ids too: naming another organisation's would move it here, or clash.
    services = [s for s in _objects(document.get("services")) if isinstance(s.get("id"), str)]
    for table, model in CHILD_MODELS.items():
        ids = [child_id(service["id"], table, index, item) for service in services
               for index, item in enumerate(_objects(service.get(table)))]
        for batch in _batches({i for i in ids if isinstance(i, str)}):
            owners = db.execute(select(model.id, Service.organization_id)
                                .outerjoin(Service, Service.id == model.service_id).where(model.id.in_(batch)))
            for record_id, owner in owners:
                if owner != organization_id:
                    problems.append(Problem(CHILD_TABLES[table], record_id, "id", "belongs to another organisation"))
    return problems


def _import(sessions: sessionmaker[Session], actor: Actor, organization_id: str, filename: str,
            data: bytes) -> dict[str, int]:
    """Reads, checks and imports the file in one transaction with its audit entry; in a worker thread."""
    document = document_from_upload(filename, data)
    if not isinstance(document, dict):
        raise BadUpload("not_hsds")
    try:
        validate_document(document)
        problems: list[Problem] = []
    except ValidationFailed as failure:
        problems = failure.problems
    try:
        with sessions.begin() as db:
            problems += _foreign_records(db, organization_id, document)
            if problems:
                raise ValidationFailed(problems)
            before = export_from_session(db, [organization_id])
            counts = import_into_session(db, document)
            db.flush()
            record_change(db, actor, "import", "organization", organization_id, organization_id, before,
                          export_from_session(db, [organization_id]))
    except IntegrityError:
        # Checked above, so only a record made by someone else while this import ran: rolled back, say so.
        logger.warning("import for %s clashed with a concurrent change", organization_id)
        raise ValidationFailed([Problem("document", "-", "id", "names a record that was just created elsewhere; "
                                        "import the file again")]) from None
    return counts


@reads_its_own_body  # a file of up to 5 MB, streamed (uploads.read_upload)
async def import_listings(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization_id = _organization_id(request, write=True)
    context: dict[str, Any] = {"organization_id": organization_id}
    try:
        token, filename, data = await read_upload(request)
        if not tokens_match(request.get(CSRF), token):
            raise web.HTTPForbidden(text="This form has expired. Go back, reload the page and try again.")
        if not data:
            raise BadUpload("no_file")
        context["counts"] = await asyncio.get_running_loop().run_in_executor(
            None, _import, request.app[DB_SESSIONS], actor, organization_id, filename, data)
        status = 200
    except BadUpload as error:
        context["upload_error"], context["upload_member"], status = error.code, error.member, 400
    except ValidationFailed as failure:
        context["problems"], status = failure.problems[:SHOWN_PROBLEMS], 400
        context["problem_count"] = len(failure.problems)
    return render(request, "import_result.html", context, status=status)
