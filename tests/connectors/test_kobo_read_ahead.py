"""Kobo submissions are read one page ahead: the next page is requested while the caller uses the current one,
never more than one page ahead, and an error of the page read ahead reaches the caller."""

from __future__ import annotations

import threading
import time

import pytest

from connectors.errors import ACCESS, SourceError
from connectors.kobotoolbox import KoboClient
from tests.connectors.fake_faults import http_error, invalid_json
from tests.connectors.fake_kobotoolbox import FakeKoboToolbox
from tests.connectors.kobo_fixtures import asset, client, data_requests, household, kobo  # noqa: F401 - fixtures


def settle(kobo: FakeKoboToolbox, count: int, seconds: float = 2.0) -> int:
    """The number of data requests once it reached ``count`` (or after ``seconds``), and a moment more."""
    deadline = time.monotonic() + seconds
    while data_requests(kobo) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    return data_requests(kobo)


def test_the_next_page_is_requested_while_the_current_one_is_used(kobo: FakeKoboToolbox, client: KoboClient,
                                                                  asset: str) -> None:
    kobo.max_limit = 2
    ids = [kobo.add_submission(asset, household(n)) for n in range(7)]
    documents = client.submissions.documents(asset)
    assert next(documents)["_id"] == ids[0]
    assert settle(kobo, 2) == 2, "page 2 is asked for while page 1 is in use, page 3 is not"
    assert [next(documents)["_id"] for _ in range(2)] == ids[1:3]
    assert settle(kobo, 3) == 3
    assert [d["_id"] for d in documents] == ids[3:]
    assert data_requests(kobo) == 4  # as many requests as without reading ahead


def test_without_read_ahead_one_page_at_a_time(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    kobo.max_limit = 2
    ids = [kobo.add_submission(asset, household(n)) for n in range(5)]
    documents = client.submissions.documents(asset, read_ahead=False)
    assert next(documents)["_id"] == ids[0]
    assert settle(kobo, 2, seconds=0.3) == 1
    assert [d["_id"] for d in documents] == ids[1:] and data_requests(kobo) == 3


def test_an_error_of_the_page_read_ahead_reaches_the_caller(kobo: FakeKoboToolbox, client: KoboClient,
                                                           asset: str) -> None:
    kobo.max_limit = 2
    ids = [kobo.add_submission(asset, household(n)) for n in range(5)]
    kobo.faults.add(http_error(403), path="/data/", after=1)  # the page read ahead is refused
    documents = client.submissions.documents(asset)
    seen = []
    with pytest.raises(SourceError) as caught:
        for document in documents:
            seen.append(document["_id"])
    assert caught.value.kind == ACCESS
    assert seen == ids[:2], "the first page is handed over whole, then the error of the second"


def test_stopping_early_waits_for_the_page_read_ahead(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    kobo.max_limit = 2
    for n in range(5):
        kobo.add_submission(asset, household(n))
    documents = client.submissions.documents(asset)
    next(documents)
    documents.close()  # waits for the request read ahead: no thread is left running
    assert not [t for t in threading.enumerate() if t.name.startswith("kobo-next-page")]
    assert data_requests(kobo) == 2


def test_a_page_read_ahead_that_does_not_parse_is_asked_for_again(kobo: FakeKoboToolbox, client: KoboClient,
                                                                  asset: str, caplog) -> None:
    """The thread reads a page's bytes; they are decoded when the page's turn comes, and asked for again if broken."""
    kobo.max_limit = 2
    ids = [kobo.add_submission(asset, household(n)) for n in range(5)]
    kobo.faults.add(invalid_json(), path="/data/", after=1)  # the second page's body is cut in half
    assert [d["_id"] for d in client.submissions.documents(asset)] == ids
    assert len(kobo.faults.injected) == 1 and data_requests(kobo) == 4
    assert [r.getMessage() for r in caplog.records if "was not JSON" in r.getMessage()] == [
        f"KoboToolbox at {kobo.url}: the answer to GET {kobo.url}/api/v2/assets/{asset}/data/?format=json&limit=1000"
        f"&sort=%7B%22_id%22%3A1%7D&query=%7B%22_id%22%3A%7B%22%24gt%22%3A{ids[1]}%7D%7D was not JSON; asking again"]
