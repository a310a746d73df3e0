"""GraphiQL served by the app itself: its page and its built assets, nothing from outside.

A district's network has no internet, so the page may reference only this server. The
assets are the npm packages pinned in this folder's package-lock.json, installed into
`node_modules/` here by `make install` (`npm ci`; git-ignored). `ASSETS` is the one list of
what is served, under `/graphql/assets/<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
ASSETS_PATH = "/graphql/assets"
NOT_INSTALLED = "GraphiQL's assets are not installed: run `make install` (npm ci in cso/graphiql)."


@dataclass(frozen=True, slots=True)
class Asset:
    """One file of an npm package, served as `name` with `media_type`."""

    package_path: str  # under node_modules/
    media_type: str


JS = "text/javascript; charset=utf-8"
ASSETS = {
    "react.production.min.js": Asset("react/umd/react.production.min.js", JS),
    "react-dom.production.min.js": Asset("react-dom/umd/react-dom.production.min.js", JS),
    "graphiql.min.js": Asset("graphiql/graphiql.min.js", JS),
    "graphiql.min.css": Asset("graphiql/graphiql.min.css", "text/css; charset=utf-8"),
}


def assets_installed() -> bool:
    """True when every listed asset is on disk."""
    return all((NODE_MODULES / asset.package_path).is_file() for asset in ASSETS.values())


def graphiql_page(root_path: str = "") -> HTMLResponse:
    """The GraphiQL page, its assets under `root_path` + /graphql/assets; when they are not
    installed, a 503 page that says how to install them."""
    if not assets_installed():
        return HTMLResponse(f"<!doctype html><title>GraphiQL</title><p>{NOT_INSTALLED}</p>", 503)
    template = (HERE / "page.html").read_text(encoding="utf-8")
    return HTMLResponse(template.replace("{{ASSETS}}", f"{root_path}{ASSETS_PATH}"))


async def asset(request: Request) -> Response:
    """GET /graphql/assets/{name}: one of `ASSETS` (404 for anything else; 503 when the
    npm packages were not installed). Cached for a day: the names are pinned versions."""
    found = ASSETS.get(request.path_params["name"])
    if found is None:
        return PlainTextResponse("no such asset", status_code=404)
    path = NODE_MODULES / found.package_path
    if not path.is_file():
        return PlainTextResponse(NOT_INSTALLED, status_code=503)
    return FileResponse(
        path, media_type=found.media_type, headers={"Cache-Control": "public, max-age=86400"}
    )
