"""What ``make demo`` prints after the job and leaves behind: the progress report of one province, made in the
Dagster instance of ``make dev``, summarised in Vietnamese (English with ``CLMS_LANGUAGE=en``); a ``dagster.yaml``
with telemetry off. The job itself runs only at full size, so the hand-made warehouse of the report tests stands in
for its result."""

import dagster as dg
import pytest
import yaml

from dagster_project.definitions import FORMS, build_definitions
from dagster_project.demo import DAGSTER_YAML, ensure_dagster_home, settings, show_product
from dagster_project.resources import WarehouseResource
from dagster_project.sources import DemoSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.report import warehouse_state

CODES = ("off_track", "no_denominator", "no_data", "no_target", "household_survey", "vn-legacy", "{'")


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """In a fresh data folder: the hand-made warehouse, the code location bound to it, and the demo's instance."""
    monkeypatch.setenv("CLMS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CLMS_LANGUAGE", raising=False)
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    warehouse = WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)
    warehouse_state.build(url).dispose()
    defs = build_definitions(warehouse, {form: DemoSource() for form in FORMS})
    monkeypatch.setenv("DAGSTER_HOME", str(ensure_dagster_home().resolve()))
    with dg.DagsterInstance.get() as instance:
        yield defs, instance, warehouse


def run_demo(demo, capsys, reports) -> str:
    defs, instance, warehouse = demo
    show_product(defs, instance, warehouse.engine(), settings().language, str(reports))
    out = capsys.readouterr().out
    return out


def test_summary_in_vietnamese_by_default(demo, capsys, tmp_path):
    out = run_demo(demo, capsys, tmp_path / "reports")
    assert "Chỉ tiêu năm 2026 — Tỉnh Lạng Sơn (mã 20)" in out
    assert ("  1.1   Tỷ lệ lao động trẻ em và người chưa thành niên từ 5 đến 17 tuổi (Khảo sát hộ gia đình)\n"
            "        Kết quả đạt được: 12,0% · Chỉ tiêu kế hoạch: ≤ 4,5% (2030) · Đánh giá: Chưa đạt\n") in out
    assert "Kết quả đạt được: — · Chỉ tiêu kế hoạch: — · Đánh giá: Chưa có mẫu số" in out  # 2.1a
    assert "Tỉnh Lạng Sơn (mã 20): province-20" in out
    assert "(mã 89, địa giới trước 01/7/2025): legacy-province-89" in out
    assert "Bước tiếp theo: make dev" in out
    assert not [code for code in CODES if code in out]

    folder = tmp_path / "reports" / "province-20" / "2026"
    for name in ("bao-cao-province-20-2026-vi.xlsx", "bao-cao-province-20-2026-vi.html"):
        assert (folder / name).stat().st_size > 0
        assert str((folder / name).resolve()) in out
    assert f"Kho dữ liệu:       {(tmp_path / 'warehouse.sqlite').resolve()}" in out

    _, instance, _ = demo
    [run] = instance.get_runs()
    assert run.is_success and run.tags["dagster/partition"] == "province-20|2026"
    assert instance.get_latest_materialization_event(dg.AssetKey("progress_report")).run_id == run.run_id


def test_summary_in_english(demo, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CLMS_LANGUAGE", "en")
    out = run_demo(demo, capsys, tmp_path / "reports")
    assert "Indicators in 2026 — Tỉnh Lạng Sơn (code 20)" in out
    assert "Value: 12.0% · Target: ≤ 4.5% (2030) · Status: Off track" in out
    assert "Status: No denominator" in out
    assert "(code 89, boundaries before 1 July 2025): legacy-province-89" in out
    assert "Next: make dev" in out
    assert "Chỉ tiêu" not in out and not [code for code in CODES if code in out]
    assert (tmp_path / "reports" / "province-20" / "2026" / "bao-cao-province-20-2026-en.html").exists()


def test_an_unknown_language_is_refused(monkeypatch):
    monkeypatch.setenv("CLMS_LANGUAGE", "fr")
    with pytest.raises(SystemExit, match="CLMS_LANGUAGE='fr': expected one of vi, en"):
        settings()


def test_dagster_yaml_turns_telemetry_off_and_is_kept(tmp_path, monkeypatch, caplog):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    home.mkdir()
    with caplog.at_level("WARNING", logger="dagster"), dg.DagsterInstance.get():
        assert "No dagster instance configuration file" in caplog.text  # what a home without it shows
    caplog.clear()

    ensure_dagster_home(home)
    assert yaml.safe_load((home / "dagster.yaml").read_text()) == {"telemetry": {"enabled": False},
                                                                   "nux": {"enabled": False}}
    with caplog.at_level("WARNING", logger="dagster"), dg.DagsterInstance.get() as instance:
        assert not instance.telemetry_enabled and not instance.nux_enabled
    assert "dagster.yaml" not in caplog.text

    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")  # a data manager's own settings stay
    ensure_dagster_home(home)
    assert (home / "dagster.yaml").read_text() != DAGSTER_YAML
