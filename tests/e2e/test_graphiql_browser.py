"""GraphiQL in Debian's headless Chromium, with the network limited to this server."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.conftest import Api

CHROMIUM = "chromium"
# Typed into GraphiQL's query editor once it is on the page.
TYPE_QUERY = """(() => {
  const editor = document.querySelector('.graphiql-query-editor .CodeMirror');
  if (!editor) return false;
  editor.CodeMirror.setValue('{ __typename }');
  return true;
})()"""
# The result pane's text; until there is one, press "Execute query" (not while it is running:
# then the button stops the query). The page may ignore a press until it has loaded the schema.
RESULT = """(() => {
  const pane = document.querySelector('.result-window .CodeMirror');
  const text = pane ? pane.CodeMirror.getValue() : '';
  const button = document.querySelector('.graphiql-execute-button');
  if (!text && button && button.getAttribute('aria-label').startsWith('Execute')) button.click();
  return text;
})()"""


class DevTools:
    """A minimal Chrome DevTools Protocol client on one page: commands and events."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        sent = next(self.ids)
        await self.socket.send(json.dumps({"id": sent, "method": method, "params": params}))
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == sent:
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result
            self.events.append(message)

    async def evaluate(self, expression: str) -> Any:
        answer = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return answer["result"].get("value")

    async def until(self, expression: str, timeout: float = 20.0) -> Any:
        """The expression's value once it is truthy (polled every 250 ms)."""
        async with asyncio.timeout(timeout):
            while not (value := await self.evaluate(expression)):
                await asyncio.sleep(0.25)
        return value


@contextlib.asynccontextmanager
async def browser(only_host: str) -> AsyncIterator[DevTools]:
    """Headless Chromium whose resolver knows only `only_host`: no other host is reachable."""
    # Chromium's helper processes may still be writing the profile as it is removed.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        process = await asyncio.create_subprocess_exec(
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {only_host}",
            "about:blank",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            async with asyncio.timeout(30):
                while not port_file.exists() or not port_file.read_text().strip():
                    await asyncio.sleep(0.1)
            port = port_file.read_text().split()[0]
            async with httpx.AsyncClient() as client:
                targets = (await client.get(f"http://127.0.0.1:{port}/json/list")).json()
            page = next(t for t in targets if t["type"] == "page")
            async with connect(page["webSocketDebuggerUrl"], max_size=None) as socket:
                yield DevTools(socket)
        finally:
            process.terminate()
            await process.wait()


@pytest.mark.slow
async def test_graphiql_runs_a_query_in_a_browser_that_reaches_only_this_server(
    api: Api,
) -> None:
    if shutil.which(CHROMIUM) is None:
        pytest.fail("this test drives Debian's Chromium: apt-get install chromium")
    host = urlsplit(api.url).hostname
    assert host is not None
    async with browser(host) as page:
        await page.send("Network.enable")
        await page.send("Page.navigate", url=f"{api.url}/graphql")
        await page.until(TYPE_QUERY)
        result = await page.until(RESULT)
    assert json.loads(result) == {"data": {"__typename": "Query"}}
    requested = [
        e["params"]["request"]["url"]
        for e in page.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert any(url.endswith("/graphql/assets/graphiql.min.js") for url in requested)
    assert all(url.startswith((api.url, "data:")) for url in requested), requested
