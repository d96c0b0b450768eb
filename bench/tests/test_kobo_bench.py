"""The KoboToolbox sync benchmark at a tiny size: every reader gets every submission, the incremental runs yield
only the new ones (with a store too when reconciling is not due; the last ones seen are read again), and reconciling against the benchmark's store finds nothing changed (the store is what the
connector itself would have stored)."""

from __future__ import annotations

from bench import kobo
from connectors.kobotoolbox.sync import RECENT


def test_the_kobo_benchmark_reads_the_same_rows_with_every_contender() -> None:
    result = kobo.run(200, repeat=1, national=False, max_limit=25)  # 112 households in pages of 25
    contenders = result["contenders"]
    submissions = result["submissions"]
    assert 100 <= submissions <= result["households"] == 112
    assert {name: m["rows"] for name, m in contenders.items()} == dict.fromkeys(kobo.ALL_CONTENDERS, submissions)
    assert contenders["floor"]["server"]["pages"] == contenders["floor_orjson"]["server"]["pages"] == 1
    assert contenders["paged"]["server"]["pages"] == contenders["ours"]["server"]["pages"] == -(-submissions // 25)
    assert contenders["ours"]["server"]["documents"] == submissions
    assert (contenders["ours"]["new"], contenders["ours"]["changed"], contenders["ours"]["deleted"]) == (
        submissions, 0, 0)

    new_only, reconciling = result["incremental"]["none"], result["incremental"]["reconciling"]
    again = 100 + RECENT  # the new ones, and the last ones seen read again (a lower _id can be visible late)
    assert new_only["rows"] == new_only["new"] == 100 and new_only["server"]["documents"] == again
    assert new_only["server"]["pages"] == again // 25 and new_only["server"]["identities"] == 0
    assert (reconciling["rows"], reconciling["new"], reconciling["changed"], reconciling["deleted"]) == (100, 100, 0, 0)
    assert reconciling["server"]["identities"] == submissions and reconciling["server"]["documents"] == again
    not_due = result["incremental"]["store, not due"]  # a warehouse store, reconciled within the day: new rows only
    assert (not_due["rows"], not_due["new"]) == (100, 100)
    assert not_due["server"]["identities"] == 0 and not_due["server"]["pages"] == new_only["server"]["pages"]

    table = kobo.markdown([result])
    assert "| 200 | " in table and "| reconciling |" in table and "| floor_orjson |" in table
    assert "| vs floor | vs floor_orjson |" in table
