"""Wires the staff portal and the hotline console into the portal application."""
from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from portal.staff import admin_views, auth_views, console_views, listing_views, review_views, transfer_views

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def setup_staff(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    add = app.router
    add.add_get("/portal/login", auth_views.login_form)
    add.add_post("/portal/login", auth_views.login)
    add.add_post("/portal/logout", auth_views.logout)
    add.add_get("/portal/", listing_views.home)
    add.add_get("/portal", listing_views.home)
    add.add_get("/portal/orgs/{organization_id}", listing_views.organization_page)
    add.add_get("/portal/orgs/{organization_id}/services/new", listing_views.new_service_page)
    add.add_post("/portal/orgs/{organization_id}/services/new", listing_views.create_service)
    add.add_get("/portal/orgs/{organization_id}/export.json", transfer_views.export_json)
    add.add_get("/portal/orgs/{organization_id}/export.zip", transfer_views.export_csv)
    add.add_post("/portal/orgs/{organization_id}/import", transfer_views.import_listings)
    add.add_get("/portal/services/{service_id}", listing_views.service_page)
    add.add_post("/portal/services/{service_id}", listing_views.save_service)
    add.add_post("/portal/services/{service_id}/confirm", listing_views.confirm_service)
    add.add_get("/portal/audit", admin_views.audit_log)
    add.add_get("/portal/accounts", admin_views.accounts_page)
    add.add_post("/portal/accounts", admin_views.add_account)
    add.add_post("/portal/accounts/{username}/{action}", admin_views.change_account)
    add.add_get("/portal/reviews", review_views.reviews_page)
    add.add_get("/portal/reviews/{topic_id}/{jurisdiction}", review_views.version_page)
    add.add_post("/portal/reviews/{topic_id}/{jurisdiction}/sign", review_views.sign_version)
    add.add_post("/portal/reviews/{topic_id}/{jurisdiction}/flag", review_views.flag_version)
    add.add_get("/console", console_views.console_page)
    add.add_post("/console", console_views.console_search)
    add.add_static("/assets/", str(ASSETS), append_version=False)
