"""GraphiQL is served by the app itself: its page references only this server."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from tests.e2e.conftest import Api


class _References(HTMLParser):
    """Every `<script src>` and `<link href>` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.found.append((tag, value))


async def _page(api: Api) -> tuple[str, list[tuple[str, str]]]:
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{api.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    parser = _References()
    parser.feed(page.text)
    return page.text, parser.found


async def test_the_graphiql_page_references_only_its_own_server(api: Api) -> None:
    _, references = await _page(api)
    scripts = [url for tag, url in references if tag == "script"]
    assert len(scripts) >= 3  # react, react-dom, graphiql
    origin = urlsplit(api.url).netloc
    for _, url in references:
        absolute = urlsplit(urljoin(f"{api.url}/graphql", url))
        assert absolute.scheme in ("http", "data"), url
        if absolute.scheme == "http":
            assert absolute.netloc == origin, url


async def test_every_asset_of_the_graphiql_page_answers_with_its_content_type(api: Api) -> None:
    _, references = await _page(api)
    expected = {"script": "text/javascript", "link": "text/css"}
    async with httpx.AsyncClient() as client:
        for tag, url in references:
            if url.startswith("data:"):
                continue
            response = await client.get(urljoin(f"{api.url}/graphql", url))
            assert response.status_code == 200, url
            assert response.headers["content-type"].startswith(expected[tag]), url
            assert len(response.content) > 1000, url


async def test_an_unknown_asset_is_not_found(api: Api) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{api.url}/graphql/assets/..%2Fpage.html")
        other = await client.get(f"{api.url}/graphql/assets/package.json")
    assert response.status_code == 404
    assert other.status_code == 404
