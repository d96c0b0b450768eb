"""Fixtures for the KoboToolbox tests: a started fake with the household survey deployed, fast clients, a store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.form_schema import FormSchema
from connectors.forms import FORMS_DIR
from connectors.http import HttpSettings
from connectors.kobotoolbox import KoboClient, stored_identity
from connectors.records import SubmissionRecord
from connectors.sync import StoredIdentity
from connectors.xlsform import read_xlsform
from tests.connectors.conftest import FAST
from tests.connectors.fake_kobotoolbox import DEFAULT_TOKEN, FakeKoboToolbox

HOUSEHOLD_XLSX = FORMS_DIR / "household_survey.xlsx"


def household(n: int, *, children: int = 1, hours: float = 3) -> dict[str, Any]:
    """Form values of a small household-survey submission."""
    return {
        "interview_date": f"2026-03-{n % 28 + 1:02d}",
        "enumerator": "Nguyễn Văn Điều Tra",
        "consent": "yes",
        "location": {"province": "01", "commune": "00004", "village": "Thôn 1", "gps": "21.0285 105.8542 10 5"},
        "household": {"respondent_name": f"Chủ hộ {n}", "hh_size": children + 2, "poverty_status": "poor",
                      "n_children": children},
        "child": [{"child_name": f"child {n}.{c}", "sex": "male", "dob_known": "no", "age_stated": 12, "age": 12,
                   "econ_activity": "yes", "work": {"work_kind": "crop_farming grazing", "hours_day": hours,
                                                    "hours_week": hours * 5, "hazards": "none"}}
                  for c in range(children)],
    }


def data_queries(kobo: FakeKoboToolbox) -> list[dict[str, list[str]]]:
    """The query parameters of every submission-data request the fake received, in order."""
    return [parse_qs(urlsplit(target).query) for _, target, _ in kobo.requests if "/data/" in target]


def data_requests(kobo: FakeKoboToolbox) -> int:
    """How many submission-data requests the fake received."""
    return sum(1 for _, target, _ in kobo.requests if "/data/" in target)


def make_client(fake: FakeKoboToolbox, *, token: str = DEFAULT_TOKEN, settings: HttpSettings = FAST) -> KoboClient:
    return KoboClient(fake.url, token, settings=settings)


@pytest.fixture(scope="session")
def household_schema() -> FormSchema:
    return read_xlsform(HOUSEHOLD_XLSX).schema


@pytest.fixture
def kobo() -> Iterator[FakeKoboToolbox]:
    with FakeKoboToolbox() as server:
        yield server


@pytest.fixture
def asset(kobo: FakeKoboToolbox) -> str:
    """The household survey, deployed."""
    return kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())


@pytest.fixture
def client(kobo: FakeKoboToolbox) -> Iterator[KoboClient]:
    with make_client(kobo) as kobo_client:
        yield kobo_client


class MemoryStore:
    """What a warehouse would do with the records: upsert on identity, last wins."""

    def __init__(self) -> None:
        self.rows: dict[str, SubmissionRecord] = {}

    def save(self, records: Iterable[SubmissionRecord]) -> list[SubmissionRecord]:
        saved = list(records)
        for record in saved:
            self.rows[record.instance_id] = record
        return saved

    def identities(self) -> list[StoredIdentity]:
        live = (stored_identity(r) for r in self.rows.values() if r.deleted_at is None)
        return sorted(live, key=lambda identity: identity.source_row_id)

    def records(self, instance_ids: Sequence[str]) -> list[SubmissionRecord]:
        return [self.rows[i] for i in instance_ids if i in self.rows]
