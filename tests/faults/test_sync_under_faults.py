"""A sync through a storm of faults ends with exactly the warehouse a fault-free sync gives, and leaks nothing.

Two warehouses read the same fake ODK Central: one without faults, one while the server fails a share of
requests at random (seeded) with 500/502/503, 429 with Retry-After, hangs past the read timeout, connection
resets, bodies cut short, JSON that does not parse, and a session that expires mid-sync. Then the server
changes (an edit, a review, a deletion, new submissions) and both sync again. The tables must be equal.
"""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_faults import (
    expire_session,
    hang,
    http_error,
    invalid_json,
    reset,
    truncated_body,
)
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD
from tests.faults.harness import (
    ANALYST_TABLES,
    add,
    central_with,
    demo_households,
    form_values,
    materialize,
    snapshot,
    source,
)
from tests.pipeline.test_household_pipeline import PROJECT
from warehouse.clean.household import FORM_ID
from warehouse.schema.db import make_engine

STORM = [http_error(500), http_error(502), http_error(503), http_error(429, retry_after=0), hang(1.0), reset(),
         truncated_body(), invalid_json()]
FEED = r"\.svc/Submissions$"


def storm(fake, seed: int) -> None:
    fake.faults.clear()
    fake.faults.set_rate(0.2, STORM, seed=seed)
    fake.faults.add(http_error(429, retry_after=1), path=FEED, after=1)  # Retry-After honoured: one second
    fake.faults.add(expire_session(), path=FEED, after=3)  # the session ends mid-sync
    # each kind of broken answer at least once, whatever share of the sync's few requests the rate hits
    for after, fault in enumerate((reset(), truncated_body(), invalid_json()), start=4):
        fake.faults.add(fault, path=FEED, after=after)


@pytest.mark.parametrize("page_size", [7, None], ids=["windows", "streamed"])
def test_a_sync_under_faults_ends_with_the_fault_free_warehouse(tmp_path, caplog, page_size):
    caplog.set_level(logging.DEBUG)
    rows = demo_households(60)
    calm, stormy = (f"sqlite:///{tmp_path / name}.sqlite" for name in ("calm", "stormy"))
    with central_with(rows[:50]) as fake:
        assert materialize(calm, source(fake), tmp_path).success
        storm(fake, seed=1)
        first = materialize(stormy, source(fake, page_size=page_size), tmp_path)
        injected = {(i.fault.kind, i.fault.status) for i in fake.faults.injected}
        fake.faults.clear()
        assert snapshot(stormy) == snapshot(calm)

        # the server changes; both sync again, incrementally
        fake.clock.advance(3600)
        live = fake.submission_ids(PROJECT, FORM_ID)
        edited = next(r for r in rows if r["__id"] == live[3])
        fake.edit_submission(PROJECT, FORM_ID, live[3], {**form_values(edited), "consent": "no", "household": {}})
        fake.set_review_state(PROJECT, FORM_ID, live[5], "hasIssues")
        fake.delete_submission(PROJECT, FORM_ID, live[7])
        add(fake, rows[50:])
        assert materialize(calm, source(fake), tmp_path).success
        storm(fake, seed=2)
        second = materialize(stormy, source(fake, page_size=page_size), tmp_path)
        injected |= {(i.fault.kind, i.fault.status) for i in fake.faults.injected}
        fake.faults.clear()
        after = snapshot(stormy)
        assert after == snapshot(calm)
        tokens = fake.issued_tokens

    assert len(after["household"]) > 40 and len(after["raw_submission_history"]) >= 3  # the edit, review, deletion

    if page_size:
        assert {("status", 500), ("status", 502), ("status", 503), ("status", 429), ("hang", 0), ("reset", 0),
                ("truncate", 0), ("invalid_json", 0), ("expire_session", 0)} <= injected
    else:  # one streamed answer per run: fewer requests for the storm to hit, an answer cut mid-stream among them
        assert {("status", 503), ("status", 429), ("reset", 0), ("truncate", 0), ("expire_session", 0)} <= injected
    assert first.success and second.success
    _nothing_secret_leaks([first, second], caplog.text, tokens)
    _analyst_tables_hold_no_pii(stormy, rows)


def test_a_server_that_stays_down_fails_the_run_with_a_clear_error_and_no_secret(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with central_with(demo_households(5)) as fake:
        fake.faults.add(http_error(503), path=FEED, times=None)
        result = materialize(f"sqlite:///{tmp_path / 'w.sqlite'}", source(fake, max_tries=2), tmp_path,
                             raise_on_error=False)
        tokens = fake.issued_tokens
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert failures and "server down or unreachable" in str(failures[0].event_specific_data.error)
    _nothing_secret_leaks([result], caplog.text, tokens)


def _nothing_secret_leaks(results, log_text: str, tokens: list[str]) -> None:
    """No password, session token or pseudonym key in the logs, the Dagster events (messages, metadata,
    errors) or the materialization metadata."""
    secrets = [DEFAULT_PASSWORD, TEST_PSEUDONYM_KEY, *tokens]
    assert tokens, "the runs logged in"
    texts = [log_text]
    for result in results:
        for event in result.all_events:
            texts.append(repr(event))
            texts.append(str(event.message))
        for node in ("raw_household_survey",):
            for materialization in result.asset_materializations_for_node(node):
                texts.append(repr(materialization.metadata))
    blob = "\n".join(texts)
    for secret in secrets:
        assert secret not in blob
    assert not re.search(r"Bearer [0-9a-f]{16}", blob)


def _analyst_tables_hold_no_pii(warehouse_url: str, rows: list[dict]) -> None:
    """No name, phone number, village or exact GPS coordinate in household, child, child_classification or
    indicator_value."""
    pii: set[str] = set()
    for row in rows:
        household = row.get("household") or {}
        location = row.get("location") or {}
        pii |= {str(v) for v in (household.get("respondent_name"), household.get("respondent_phone"),
                                 row.get("enumerator"), location.get("village")) if v}
        pii |= {str(c) for c in (location.get("gps") or {}).get("coordinates", [])[:2]}
        pii |= {c["child_name"] for c in row.get("child") or [] if c.get("child_name")}
    long_pii = {p for p in pii if len(p) >= 8}
    engine = make_engine(warehouse_url)
    with engine.connect() as conn:
        for model in ANALYST_TABLES:
            for record in conn.execute(select(model.__table__)):
                values = {str(v) for v in record if v is not None}
                assert not values & pii, model.__tablename__
                assert not any(p in v for v in values for p in long_pii), model.__tablename__
    engine.dispose()
