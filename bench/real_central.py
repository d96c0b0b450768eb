"""Sync benchmark on a REAL ODK Central: our connector, the floor and pyodk side by side, then 100 new submissions.

Start a Central of its own (not the tests' one) and fill it once::

    CENTRAL_WORK=/tmp/bench-central PGPORT=55499 HTTP_PORT=8499 bash ../shared/platforms/odk-central/central.sh up
    .venv/bin/python -m bench.real_central setup http://127.0.0.1:8499 --households 20000
    .venv/bin/python -m bench.real_central run http://127.0.0.1:8499 --repeat 3

``setup`` makes project 1 with ``forms/household_survey.xlsx`` published by our connector and the benchmark's web
user (``bench.central.EMAIL``, Project Manager), then posts the demo generator's households as OpenRosa submissions
from a thread pool, as phones would. ``run`` reads the whole form with each contender, each in a fresh interpreter
(``read``), ``--repeat`` rounds interleaved, and keeps the median: ``floor``, one OData document ``$expand=*``
parsed with orjson (the least any client can do); ``ours``, :func:`connectors.odk_central.sync_submissions` (a full
sync, records counted and dropped; ``ours_paged``, the same in pages of 5,000); ``pyodk_table``, pyodk's
``get_table(expand="*")``. Then a sync brings a cursor
up to date once the posts are older than the sync's overlap, 100 new submissions are posted, and ``ours`` reads them
from that cursor ``--repeat`` times, keeping its session in a file between runs as the pipeline does (the full reads
all log in). Each read also records the requests Central's access log shows it made. Results: ``bench/results/real-central-<size>-<tag>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import requests

import orjson

from bench.central import EMAIL, PASSWORD, PROJECT
from bench.measure import ROOT, label, machine, measured, run_json
from bench.sync_client import FEED, ours, pyodk_table
from connectors.demo import FORM_ID, demo_communes, household_row
from connectors.odk_central import OdkCentralClient
from connectors.odk_central.publish import publish_xlsform, read_xlsform
from connectors.odk_central.submissions import DEFAULT_PAGE_SIZE
from connectors.odk_central.sync import DEFAULT_OVERLAP
from tests.connectors.submission_xml import submission_xml
from connectors.forms import FORMS_DIR

WORK = Path(os.environ.get("CENTRAL_WORK", "/tmp/bench-central"))  # the benchmark Central's central.sh folder
ADMIN = ("admin@example.org", "Adm1n-Secret-Pass!")  # central.sh's default site administrator
MANAGER_ROLE = 5
SEED = 2026


def post(url: str, token: str, rows: list[dict], version: str, threads: int = 8) -> float:
    """Post ``rows`` as OpenRosa submissions from ``threads`` threads; returns the seconds it took."""
    headers = {"Authorization": f"Bearer {token}", "X-OpenRosa-Version": "1.0"}

    def one(row: dict) -> None:
        xml = submission_xml(FORM_ID, version, row, f"uuid:{uuid.uuid4()}")
        files = {"xml_submission_file": ("submission.xml", xml, "text/xml")}
        answer = requests.post(f"{url}/v1/projects/{PROJECT}/submission", files=files, headers=headers, timeout=60)
        if answer.status_code != 201:
            raise RuntimeError(f"submission refused: HTTP {answer.status_code} {answer.text[:300]}")

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, rows))
    return time.perf_counter() - started


def _token(url: str) -> str:
    answer = requests.post(f"{url}/v1/sessions", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=30)
    answer.raise_for_status()
    return answer.json()["token"]


def _rows(count: int, start: int) -> list[dict]:
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")
    return [household_row(communes, n, SEED) for n in range(start, start + count)]


def setup(url: str, households: int) -> dict:
    token = _token(url)
    auth = {"Authorization": f"Bearer {token}"}
    project = requests.post(f"{url}/v1/projects", json={"name": "bench"}, headers=auth, timeout=30).json()["id"]
    if project != PROJECT:
        raise RuntimeError(f"the benchmark needs a fresh Central (its first project is {PROJECT}, got {project})")
    user = requests.post(f"{url}/v1/users", json={"email": EMAIL, "password": PASSWORD}, headers=auth, timeout=30)
    requests.post(f"{url}/v1/projects/{PROJECT}/assignments/{MANAGER_ROLE}/{user.json()['id']}", headers=auth,
                  timeout=30).raise_for_status()
    with OdkCentralClient(url, EMAIL, PASSWORD) as client:
        publish_xlsform(client, PROJECT, FORMS_DIR / f"{FORM_ID}.xlsx", FORMS_DIR / "media")
    version = read_xlsform(FORMS_DIR / f"{FORM_ID}.xlsx").version
    seconds = post(url, token, _rows(households, 0), version)
    return {"households": households, "post_seconds": round(seconds, 1)}


def floor(url: str, page_size: int, cursor: dict | None) -> dict:
    session = requests.Session()
    token = session.post(f"{url}/v1/sessions", json={"email": EMAIL, "password": PASSWORD}).json()["token"]
    response = session.get(f"{url}{FEED}?$expand=*", headers={"Authorization": f"Bearer {token}"})
    return {"rows": len(orjson.loads(response.content)["value"]), "requests": 2}


def query(url: str, page_size: int, cursor: dict | None, session_file: Path, target: str) -> dict:
    """The floor of an incremental run: the request ``target`` (path and query) that ours made, sent alone with
    the session ours kept, its answer parsed with orjson."""
    token = json.loads(session_file.read_text(encoding="utf-8"))["token"]
    response = requests.get(f"{url}{target}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    return {"rows": len(orjson.loads(response.content)["value"]), "requests": 1}


def ours_paged(url: str, page_size: int, cursor: dict | None) -> dict:
    """Ours with pages of ``DEFAULT_PAGE_SIZE`` in ``submissionDate`` windows (the default before §6e)."""
    return ours(url, DEFAULT_PAGE_SIZE, cursor)


READERS = {"floor": floor, "ours": ours, "ours_paged": ours_paged, "pyodk_table": pyodk_table}
ALONE = {"query": query}  # not a full read: measured in the incremental runs only


def read(name: str, url: str, page_size: int, cursor: dict | None, session_file: Path | None = None,
         target: str | None = None) -> dict:
    """One contender's read, measured in this interpreter (run it in a fresh one): wall time, CPU time, memory.
    ``session_file`` (ours and query): the session kept between runs, as the pipeline keeps it; ``target``: the
    request ``query`` sends."""
    if name.startswith("pyodk"):
        import pyodk.client  # noqa: F401 - imported before measuring, like our connector
    else:
        import connectors.odk_central  # noqa: F401
    options = {"session_file": session_file} if session_file else {}
    if target:
        options["target"] = target
    cpu = time.process_time()
    with measured() as m:
        result = {**READERS, **ALONE}[name](url, page_size, cursor, **options)
    return {**result, "seconds": round(m.seconds, 3), "client_cpu_s": round(time.process_time() - cpu, 3),
            "peak_mb": round(m.peak_mb, 1), "grew_mb": round(m.grew_mb, 1)}


def server_cpu_seconds(work: Path) -> float:
    """CPU seconds used so far by the Central of ``work`` (central.sh's CENTRAL_WORK): its Node server and its
    PostgreSQL cluster, the children they reaped included. On a machine others load too, the wall time of a read
    varies severalfold; the CPU it costs the server and the client does not."""
    tick = os.sysconf("SC_CLK_TCK")
    node = int((work / "server.pid").read_text())
    postmaster = int((work / "pgdata" / "postmaster.pid").read_text().split()[0])
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry.name), int(fields[1])
        if pid in (node, postmaster):  # utime, stime, and the reaped children's cutime, cstime
            total += sum(int(v) for v in fields[11:15])
        elif parent == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def server_requests(work: Path) -> list[str]:
    """The requests Central's access log (central.sh's ``server.log``) holds, oldest first."""
    lines = (work / "server.log").read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.split('"')[1] for line in lines if line.startswith("127.0.0.1 - - [") and line.count('"') >= 2]


def _read(name: str, url: str, page_size: int, cursor: dict | None = None, session_file: Path | None = None,
          target: str | None = None) -> dict:
    args = ["-m", "bench.real_central", "read", url, "--contender", name, "--page-size", str(page_size)]
    if session_file:
        args += ["--session-file", str(session_file)]
    if target:
        args += ["--target", target]
    seen = len(server_requests(WORK))
    before = server_cpu_seconds(WORK)
    result = run_json(args + (["--cursor", json.dumps(cursor)] if cursor else []), timeout=900)
    result["server_cpu_s"] = round(server_cpu_seconds(WORK) - before, 3)
    made = server_requests(WORK)[seen:]
    result["server_requests"] = len(made)
    result["requests_made"] = [" ".join(request.split()[:2]).split("?")[0] for request in made]
    result["targets"] = [request.split()[1] for request in made]
    result["cpu_s"] = round(result["server_cpu_s"] + result["client_cpu_s"], 3)
    return result


def _median(runs: list[dict]) -> dict:
    """The median of each figure over the runs, and every run's wall time and CPU."""
    medians = {key: statistics.median(r[key] for r in runs)
               for key in ("seconds", "cpu_s", "server_cpu_s", "client_cpu_s", "peak_mb", "grew_mb")}
    return {**runs[0], **medians, "runs_seconds": [r["seconds"] for r in runs],
            "runs_cpu_s": [r["cpu_s"] for r in runs]}


def run(url: str, repeat: int, page_size: int, incremental: int) -> dict:
    result: dict = {"url": url, "page_size": page_size, "repeat": repeat, "machine": machine(), "contenders": {}}
    runs: dict[str, list[dict]] = {name: [] for name in READERS}
    cursor = None
    for _ in range(repeat):
        for name in READERS:
            measured = _read(name, url, page_size)
            cursor = measured.pop("cursor", cursor)
            runs[name].append(measured)
    for name in READERS:
        result["contenders"][name] = _median(runs[name])
    floor = result["contenders"]["floor"]
    for measured in result["contenders"].values():
        measured["vs_floor"] = round(measured["seconds"] / floor["seconds"], 2)
        measured["cpu_vs_floor"] = round(measured["cpu_s"] / floor["cpu_s"], 2)
    result["rows"] = result["contenders"]["floor"]["rows"]
    if incremental:
        result["incremental"] = _incremental(url, page_size, incremental, repeat)
    return result


def _incremental(url: str, page_size: int, count: int, repeat: int) -> dict:
    """A cursor brought up to date once every post is older than the overlap, then ``count`` new submissions
    read from it ``repeat`` times."""
    token = _token(url)
    form = requests.get(f"{url}/v1/projects/{PROJECT}/forms/{FORM_ID}", timeout=30,
                        headers={"Authorization": f"Bearer {token}", "X-Extended-Metadata": "true"}).json()
    newest = form["lastSubmission"]
    settled = datetime.fromisoformat(newest) + DEFAULT_OVERLAP - datetime.now(UTC)
    time.sleep(max(0.0, settled.total_seconds() + 1))
    session = WORK / "bench-session.json"  # kept between the runs, as the pipeline keeps it
    session.unlink(missing_ok=True)
    cursor = _read("ours", url, page_size)["cursor"]
    settle = _read("ours", url, page_size, cursor, session)
    cursor = settle.pop("cursor")
    post(url, token, _rows(count, 10_000_000), form["version"])  # the version published there, maybe older
    runs, alone = [], []
    for _ in range(repeat):  # ours, then the request it made sent alone (the floor of the run), in turns
        measured = _read("ours", url, page_size, cursor, session)
        measured.pop("cursor", None)
        runs.append(measured)
        alone.append(_read("query", url, page_size, None, session, target=measured["targets"][-1]))
    return {"new_submissions": count, "rows_read_by_the_run_after_the_full_sync": settle["rows"],
            "settling_run_requests": settle["requests_made"], **_median(runs), "query_alone": _median(alone)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.real_central")
    parser.add_argument("action", choices=("setup", "run", "read"))
    parser.add_argument("url")
    parser.add_argument("--contender", choices=sorted({**READERS, **ALONE}), default="ours")
    parser.add_argument("--target", default=None)
    parser.add_argument("--cursor", type=json.loads, default=None)
    parser.add_argument("--session-file", type=Path, default=None)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=0, help="ours: 0, the connector's default (no pages)")
    parser.add_argument("--incremental", type=int, default=100)
    parser.add_argument("--tag", default="latest")
    args = parser.parse_args()
    if args.action == "setup":
        print(json.dumps(setup(args.url, args.households)))
        return
    if args.action == "read":
        print(json.dumps(read(args.contender, args.url, args.page_size, args.cursor, args.session_file, args.target)))
        return
    result = run(args.url, args.repeat, args.page_size, args.incremental)
    out = ROOT / "bench" / "results" / f"real-central-{label(result['rows'])}-{args.tag}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
