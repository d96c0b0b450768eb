"""One reader of the benchmark server's submissions, in its own interpreter; prints one JSON line.

``python -m bench.sync_client CONTENDER URL [--page-size N] [--cursor JSON]`` where CONTENDER is

- ``floor``: one ``GET`` of the whole feed and ``json.loads``, nothing else (the least any client can do);
- ``ours``: :func:`connectors.odk_central.sync_submissions` from ``--cursor`` (none: a full sync), records
  counted and dropped (storage is measured by the pipeline benchmark); ``--page-size 0``: the connector's
  default, one query read as it arrives;
- ``nextlink``: our client following ``@odata.nextLink`` through one query (``SubmissionService.records``);
- ``pyodk_table``: ``pyodk``'s ``client.submissions.get_table(expand="*")``, one document;
- ``pyodk_loop``: the ``top``/``skip`` loop a pyodk user writes, ``top`` = the page size.

Memory is the resident high-water mark of the read, above what the interpreter held before it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import requests

from bench.central import EMAIL, PASSWORD, PROJECT
from bench.measure import measured
from connectors.demo import FORM_ID

FEED = f"/v1/projects/{PROJECT}/forms/{FORM_ID}.svc/Submissions"


def floor(url: str, page_size: int, cursor: dict | None) -> dict:
    session = requests.Session()
    token = session.post(f"{url}/v1/sessions", json={"email": EMAIL, "password": PASSWORD}).json()["token"]
    response = session.get(f"{url}{FEED}?$expand=*", headers={"Authorization": f"Bearer {token}"})
    rows = len(json.loads(response.content)["value"])
    return {"rows": rows, "requests": 2}


def ours(url: str, page_size: int, cursor: dict | None, session_file: Path | None = None) -> dict:
    from connectors.odk_central import OdkCentralClient, sync_submissions

    with OdkCentralClient(url, EMAIL, PASSWORD, session_file=session_file) as client:
        sync = sync_submissions(client, PROJECT, FORM_ID, cursor, page_size=page_size or None)
        rows = sum(1 for _ in sync)
        return {"rows": rows, "live": sync.live_count, "deleted": sync.deleted_count,
                "duplicates": sync.duplicate_count, "cursor": sync.cursor}


def nextlink(url: str, page_size: int, cursor: dict | None) -> dict:
    from connectors.odk_central import OdkCentralClient

    with OdkCentralClient(url, EMAIL, PASSWORD) as client:
        return {"rows": sum(1 for _ in client.submissions.records(PROJECT, FORM_ID, page_size=page_size))}


def _pyodk(url: str):
    from pyodk.client import Client

    folder = Path(tempfile.mkdtemp(prefix="bench-pyodk-"))
    config = folder / "config.toml"
    config.write_text(f'[central]\nbase_url = "{url}"\nusername = "{EMAIL}"\npassword = "{PASSWORD}"\n'
                      f"default_project_id = {PROJECT}\n", encoding="utf-8")
    return Client(config_path=str(config), cache_path=str(folder / "cache.toml"))


def pyodk_table(url: str, page_size: int, cursor: dict | None) -> dict:
    with _pyodk(url) as client:
        return {"rows": len(client.submissions.get_table(form_id=FORM_ID, expand="*")["value"])}


def pyodk_loop(url: str, page_size: int, cursor: dict | None) -> dict:
    rows = 0
    with _pyodk(url) as client:
        skip = 0
        while True:
            value = client.submissions.get_table(form_id=FORM_ID, expand="*", top=page_size, skip=skip)["value"]
            rows += len(value)
            if len(value) < page_size:
                break
            skip += page_size
    return {"rows": rows}


CONTENDERS = {f.__name__: f for f in (floor, ours, nextlink, pyodk_table, pyodk_loop)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("contender", choices=sorted(CONTENDERS))
    parser.add_argument("url")
    parser.add_argument("--page-size", type=int, default=5000)
    parser.add_argument("--cursor", type=json.loads, default=None)
    args = parser.parse_args()
    if args.contender.startswith("pyodk"):
        import pyodk.client  # noqa: F401 - imported before measuring, like our connector
    else:
        import connectors.odk_central  # noqa: F401
    with measured() as m:
        result = CONTENDERS[args.contender](args.url, args.page_size, args.cursor)
    print(json.dumps({**result, "seconds": round(m.seconds, 3), "peak_mb": round(m.peak_mb, 1),
                      "grew_mb": round(m.grew_mb, 1)}))


if __name__ == "__main__":
    main()
