"""The staff portal (listing editor, audit log, accounts) and the hotline console: server-rendered
pages (aiohttp-jinja2) that work without JavaScript."""
