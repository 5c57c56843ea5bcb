"""An organisation's listings out and in, as HSDS JSON or CSV (a zip of one file per table).

An import replaces the organisation's listings with the file's, in one transaction with its audit entry.
It may only name this organisation, and no listing, location, phone, schedule, language or location link
that belongs to another one. Reading, checking and writing a file of up to 50 MB of CSV takes seconds:
all of it runs in worker threads (portal/offload.py), so that the portal keeps being served."""
from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from aiohttp import web

from portal.offload import in_unit_of_work, off_loop
from portal.request_bodies import reads_its_own_body
from portal.staff.pages import render
from portal.staff.security import CSRF, actor_of, tokens_match
from portal.staff.uploads import BadUpload, document_from_upload, read_upload
from services_db.hsds_io import CSV_TABLES, write_csv
from services_db.hsds_validation import ValidationFailed
from staff import listings

SHOWN_PROBLEMS = 200  # a file can have a million; the page lists the first ones and counts the rest


async def export_json(request: web.Request) -> web.Response:
    organization_id = request.match_info["organization_id"]
    document = await in_unit_of_work(request, listings.export_listings, actor_of(request), organization_id)
    body = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    return web.Response(text=body, content_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{organization_id}.hsds.json"'})


def _zip_of_csv(document: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        write_csv(document, Path(folder))
        for table in CSV_TABLES:
            archive.write(Path(folder) / f"{table}.csv", f"{table}.csv")
    return buffer.getvalue()


async def export_csv(request: web.Request) -> web.Response:
    organization_id = request.match_info["organization_id"]
    document = await in_unit_of_work(request, listings.export_listings, actor_of(request), organization_id)
    return web.Response(body=await off_loop(_zip_of_csv, document), content_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{organization_id}.hsds-csv.zip"'})


@reads_its_own_body  # a file of up to 5 MB, streamed (uploads.read_upload)
async def import_listings(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization_id = request.match_info["organization_id"]
    # Refused before a byte of the file is read: no such organisation, or not the actor's.
    await in_unit_of_work(request, listings.check_organization, actor, organization_id, write=True)
    context: dict[str, Any] = {"organization_id": organization_id}
    try:
        token, filename, data = await read_upload(request)
        if not tokens_match(request.get(CSRF), token):
            raise web.HTTPForbidden(text="This form has expired. Go back, reload the page and try again.")
        if not data:
            raise BadUpload("no_file")
        document = await off_loop(document_from_upload, filename, data)
        if not isinstance(document, dict):
            raise BadUpload("not_hsds")
        context["counts"] = await in_unit_of_work(request, listings.import_listings, actor, organization_id, document)
        status = 200
    except BadUpload as error:
        context["upload_error"], context["upload_member"], status = error.code, error.member, 400
    except ValidationFailed as failure:
        context["problems"], status = failure.problems[:SHOWN_PROBLEMS], 400
        context["problem_count"] = len(failure.problems)
    return render(request, "import_result.html", context, status=status)
