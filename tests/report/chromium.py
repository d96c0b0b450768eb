"""Headless Chromium driven over its DevTools protocol (a websocket on loopback): open a page, measure it with
script, take a screenshot, switch to print media, print it to PDF. The page itself never gets a script."""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

INSTALL = "apt-get install -y chromium (Debian; `make test-tools` does it)"


def executable() -> str:
    """``CHROMIUM`` if set, else chromium on the PATH or in /usr/bin; a clear failure when there is none."""
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  "/usr/bin/chromium"]
    path = next((c for c in candidates if c and Path(c).is_file()), None)
    if path is None:
        pytest.fail(f"Chromium is needed to check that the report page renders: {INSTALL}, or set CHROMIUM "
                    "to its path", pytrace=False)
    return path


@contextmanager
def chromium(profile: Path, timeout: float = 60) -> Iterator[Browser]:
    """A headless Chromium with one tab, stopped on the way out."""
    log = profile.with_suffix(".log")
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [executable(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        with connect(_address(process, log, timeout), max_size=None, open_timeout=timeout) as socket:
            yield Browser(socket, timeout)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _address(process: subprocess.Popen, log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(r"DevTools listening on (ws://\S+)", log.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"Chromium did not start: {log.read_text(errors='replace')[-2000:]}")


class Browser:
    """One tab of a running Chromium; ``call`` sends a protocol command to the tab and returns its result."""

    def __init__(self, socket: ClientConnection, timeout: float):
        self.socket, self.timeout = socket, timeout
        self.ids, self.session, self.events = itertools.count(1), None, []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")

    def _receive(self) -> dict:
        """The next message; events are noted by name on the way."""
        message = json.loads(self.socket.recv(timeout=self.timeout))
        if "method" in message:
            self.events.append(message["method"])
        return message

    def call(self, method: str, **params) -> dict:
        number = next(self.ids)
        message = {"id": number, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply.get("id") == number:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]

    def open(self, page: Path, width: int, height: int) -> None:
        """Load ``page`` in a window of ``width`` × ``height`` on screen media."""
        self.viewport(width, height)
        self.media("screen")
        self.events.clear()
        self.call("Page.navigate", url=page.resolve().as_uri())
        while "Page.loadEventFired" not in self.events:
            self._receive()

    def viewport(self, width: int, height: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def media(self, media: str) -> None:
        self.call("Emulation.setEmulatedMedia", media=media)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def pdf(self) -> bytes:
        """The page printed as Chromium prints it, on the paper its stylesheet asks for."""
        return base64.b64decode(self.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"])


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page of a PDF Chromium wrote (its page objects are not compressed)."""
    pages = re.findall(rb"<<\s*/Type\s*/Page\b(?!s).*?/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf, re.S)
    return [(float(w), float(h)) for w, h in pages]
