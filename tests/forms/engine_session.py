"""Python side of tests/forms/engine/fill.mjs: fill an XForm in ODK's xforms-engine (Node) from pytest."""

from __future__ import annotations

import contextlib
import json
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.forms.xlsform_tools import FORMS_DIR, convert_form

ENGINE_DIR = Path(__file__).parent / "engine"
MIN_NODE = 20


class EngineError(RuntimeError):
    """The engine driver refused a request or died."""


def ensure_engine_installed() -> str:
    """Path of `node`, after `npm ci` if the engine is not installed; fails the test (never skips) without Node."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail(f"Node.js {MIN_NODE}+ and npm are required for the form-engine tests (tests/forms/engine/): "
                    "install them (CI has Node 20).")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < MIN_NODE:
        pytest.fail(f"Node.js {MIN_NODE}+ is required for the form-engine tests, found {version}.")
    if not (ENGINE_DIR / "node_modules" / "@getodk" / "xforms-engine").is_dir():
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ENGINE_DIR, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"`npm ci` in {ENGINE_DIR} failed:\n{done.stdout}\n{done.stderr}")
    return node


class EngineSession:
    """One `node fill.mjs` process with a loaded form; `open()` starts a new filling of it."""

    def __init__(self, node: str, form_xml: Path, media_dir: Path, timeout: float = 60):
        self._timeout = timeout
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [node, "fill.mjs", str(form_xml), str(media_dir)], cwd=ENGINE_DIR, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr, text=True, encoding="utf-8",
        )
        self._replies: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        self._reply()  # {"ready": ...} once the form and its attachments are loaded

    def _read_stdout(self) -> None:
        for line in self._process.stdout:
            self._replies.put(line)
        self._replies.put(None)

    def _stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def _reply(self):
        try:
            line = self._replies.get(timeout=self._timeout)
        except queue.Empty:
            raise EngineError(f"no reply from the engine in {self._timeout} s\n{self._stderr_text()}") from None
        if line is None:
            raise EngineError(f"the engine exited ({self._process.wait()}):\n{self._stderr_text()}")
        message = json.loads(line)
        if not message["ok"]:
            raise EngineError(message["error"])
        return message["result"]

    def request(self, op: str, **fields):
        self._process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self._process.stdin.flush()
        return self._reply()

    def open(self) -> FormFill:
        return FormFill(self, **self.request("open"))

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=self._timeout)
        self._stderr.close()

    def __enter__(self) -> EngineSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextlib.contextmanager
def published_form(form: Path, work: Path):
    """An EngineSession on `form` converted, with the attachments it references copied from forms/media into
    `work`, as they are published."""
    node = ensure_engine_installed()
    xform = convert_form(form).xform
    (work / f"{form.stem}.xml").write_text(xform, encoding="utf-8")
    for name in re.findall(r'src="jr://file-csv/([^"]+)"', xform):
        shutil.copy(FORMS_DIR / "media" / name, work / name)
    with EngineSession(node, work / f"{form.stem}.xml", work) as session:
        yield session


def violation(state: dict) -> str | None:
    """The condition a question's answer violates ("constraint", "required") or None."""
    return state["violation"] and state["violation"]["condition"]


class FormFill:
    """A form being filled, as a collector would: answer questions, read their state, finalize."""

    def __init__(self, session: EngineSession, instance: int, languages: list[str], language: str):
        self._session, self._instance = session, instance
        self.languages, self.language = languages, language

    def _request(self, op: str, **fields):
        return self._session.request(op, instance=self._instance, **fields)

    def set(self, path: str, value) -> dict:
        """Answer `path` ("household/hh_size", "child[2]/dob"); a list for select_multiple. Returns its state."""
        return self._request("set", path=path, value=value if isinstance(value, list) else str(value))

    def answer(self, answers: dict) -> None:
        for path, value in answers.items():
            self.set(path, value)

    def state(self, path: str) -> dict:
        """type, relevant, required, label; value and violation ({condition, message} or None) for questions;
        options for selects; count for repeats."""
        return self._request("state", path=path)

    def set_language(self, language: str) -> None:
        self.language = self._request("language", language=language)

    def submit(self) -> dict:
        """status ("ready" or "pending"), violations [{reference, condition, message}], xml and its parsed root."""
        payload = self._request("submit")
        return payload | {"root": ET.fromstring(payload["xml"])}
