"""The Dagster UI speaks to data managers in Vietnamese by default, English with ``CLMS_LANGUAGE=en``: asset, check,
job and sensor descriptions, metadata labels, step logs (sentences naming areas, never a dict), status words; a
refused upload or export file shows its message, not a stack; the README's example query, run on a demo-built
warehouse, gives no rows that look like duplicates."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import text

from dagster_project.defs.household_survey import assets as household_assets
from dagster_project.defs.reference import assets as reference_assets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import FileImportSource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.reference import reference_data as ref

ROOT = Path(__file__).resolve().parents[2]
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýđ]", re.IGNORECASE)
DESCRIBE = """
import json
from dagster_project.definitions import defs
graph = defs.resolve_asset_graph()
texts = {f"asset {k.to_user_string()}": graph.get(k).description for k in graph.get_all_asset_keys()}
for key in graph.asset_check_keys:
    texts[f"check {key.name}"] = graph.get_check_spec(key).description
for job in ("monitoring_job", "reference_job"):
    texts[f"job {job}"] = defs.resolve_job_def(job).description
for sensor in ("reference_uploads", "report_area_partitions"):
    texts[f"sensor {sensor}"] = defs.resolve_sensor_def(sensor).description
texts["schedule"] = defs.resolve_schedule_def("monitoring_job_schedule").description
print(json.dumps(texts))
"""


def descriptions(language: str | None) -> dict[str, str]:
    """Every description of the code location, loaded afresh in a process with ``CLMS_LANGUAGE`` as given."""
    env = {k: v for k, v in os.environ.items() if k != "CLMS_LANGUAGE"} | {"PYTHONPATH": str(ROOT)}
    if language:
        env["CLMS_LANGUAGE"] = language
    done = subprocess.run([sys.executable, "-c", DESCRIBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def vietnamese(texts) -> bool:
    return all(VIETNAMESE.search(t or "") for t in texts)


def test_descriptions_are_vietnamese_by_default_and_english_by_the_setting():
    vi, en = descriptions(None), descriptions("en")
    assert vi.keys() == en.keys() and len(vi) > 50
    assert vietnamese(vi.values()), [k for k, t in vi.items() if not VIETNAMESE.search(t or "")]
    assert not [k for k in vi if vi[k] == en[k]]
    english = [t for t in en.values() if t]
    assert len(english) == len(en)  # below: a few Vietnamese names at most (Hà Nội, Báo cáo …)
    assert not [t for t in english if sum(bool(VIETNAMESE.search(w)) for w in t.split()) * 4 > len(t.split())]
    assert vi["asset households"] == "Mỗi dòng một hộ được phỏng vấn: đã chuẩn hoá kiểu dữ liệu, đã khử định danh."
    assert en["check households_accounted_for"] == "Every live raw submission is a household or is quarantined."


def materialization(result: dg.ExecuteInProcessResult, asset: str):
    return next(e.step_materialization_data.materialization for e in result.get_asset_materialization_events()
                if e.asset_key == dg.AssetKey(asset))


def test_metadata_labels_are_vietnamese(demo_run):
    result, _, _ = demo_run
    labels = {k for e in result.get_asset_materialization_events()
              for k in e.step_materialization_data.materialization.metadata}
    labels |= {k for c in result.get_asset_check_evaluations() for k in c.metadata}
    labels = {k for k in labels if not k.startswith("dagster/")}
    assert {"đồng bộ: thêm mới", "bước: đã nạp", "đánh giá các ô tổng", "bản nộp còn hiệu lực"} <= labels
    assert not [k for k in labels if not VIETNAMESE.search(k)]
    summary = materialization(result, "child_classification").metadata["tổng hợp"].value
    assert summary.startswith("| bộ quy tắc | số trẻ | lao động trẻ em | công việc nguy hại |")
    reasons = materialization(result, "inspection_quarantine").metadata["lý do cách ly"].value
    assert reasons.startswith("| lý do | số dòng |") and "| Mã xã không có trong danh mục chính thức |" in reasons


def test_logs_are_sentences_naming_areas_and_statuses_in_words(demo_run):
    result, logs, _ = demo_run
    assert not [m for m in logs if "{'" in m or "': " in m]  # no dict reprs
    assert any("Tỉnh Hưng Yên (mã 33, địa giới trước 01/7/2025)" in m for m in logs), logs
    assert any(m.startswith("Làm sạch: đã xử lý ") and " hộ, " in m for m in logs), logs
    assert any(m.startswith("Biểu mẫu household_survey: đã đồng bộ từ nguồn demo: nhận ") for m in logs), logs
    assert any(m.startswith("Chỉ tiêu: đã tính lại toàn bộ, ") and "Chưa có mẫu số" in m for m in logs), logs
    words = materialization(result, "indicator_values").metadata["đánh giá các ô tổng"].value
    assert "Chưa có mẫu số" in words and not {"off_track", "no_denominator", "met"} & set(words)


def readme_query(readme: str) -> str:
    """The example query of ``indicator_value`` in ``readme``."""
    blocks = re.findall(r"```sql\n(.*?)```", (ROOT / readme).read_text(encoding="utf-8"), re.DOTALL)
    return next(b for b in blocks if "FROM indicator_value" in b)


IDENTIFYING = ("indicator_id", "source", "rule_set", "period", "area_level", "area_code", "code_list_version",
               "dimension", "dimension_value")


@pytest.mark.parametrize("readme", ["README.md", "README.vi.md"])
def test_the_readme_query_gives_no_rows_that_look_like_duplicates(demo_run, readme):
    """Each row it gives is told from the others by the columns it shows: a province of the 2025 list and the
    pre-2025 one with the same number (33, Hưng Yên) are both there, and told apart."""
    _, _, url = demo_run
    engine = WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY).engine()
    with engine.connect() as conn:
        result = conn.execute(text(readme_query(readme)))
        columns, rows = list(result.keys()), [r._asdict() for r in result]
    engine.dispose()
    shown = [c for c in columns if c in IDENTIFYING]
    keys = [tuple(r[c] for c in shown) for r in rows]
    assert len(rows) > 4 and len(set(keys)) == len(keys), sorted(keys)
    assert {r["area_code"] for r in rows if r.get("code_list_version") == ref.LEGACY} & {
        r["area_code"] for r in rows if r.get("code_list_version") not in (ref.LEGACY, None)}


def test_a_refused_upload_shows_its_problems_one_a_line_not_a_stack(warehouse_url, tmp_path, monkeypatch):
    monkeypatch.delenv("CLMS_LANGUAGE")
    folder = tmp_path / "populations"
    folder.mkdir()
    pd.DataFrame([["province", "91", "vn-2025-07", "2026", "teachers_staff", "210.000", ""],
                  ["province", "33", "vn-2025-07", "2026", "teachers_staff", "10.0.0", ""]],
                 columns=ref.POPULATION_COLUMNS).to_csv(folder / "dan_so.csv", index=False)
    result = dg.materialize([reference_assets.reference_populations], raise_on_error=False, resources={
        "warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY),
        "reference_files": ReferenceFiles(folder=str(tmp_path))})
    (event,) = [e for e in result.all_events if e.is_step_failure]
    failure = event.step_failure_data
    assert failure.error.cause is None  # nothing "caused by" another exception, with its own stack
    assert failure.user_failure_data.description.splitlines() == [
        "Dân số tham chiếu: không nạp tệp nào, kho dữ liệu giữ nguyên số liệu cũ. Sửa các lỗi dưới đây rồi lưu lại "
        "tệp vào thư mục tải lên:",
        "- dan_so.csv: dòng 2: giá trị '210.000' có dấu phân cách hàng nghìn: hãy viết không có dấu (210000)",
        "- dan_so.csv: dòng 3: giá trị '10.0.0' phải là số nguyên lớn hơn 0"]
    assert "tệp bị từ chối" in failure.user_failure_data.metadata


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_refused_export_file_is_said_in_the_log(warehouse_url, tmp_path, monkeypatch, language):
    """In the data manager's language, from the catalogue; the byte a file is not UTF-8 at is not quoted."""
    monkeypatch.setenv("CLMS_LANGUAGE", language) if language == "en" else monkeypatch.delenv("CLMS_LANGUAGE")
    folder = tmp_path / "imports" / "household_survey"
    folder.mkdir(parents=True)
    (folder / "not-a-zip.zip").write_bytes(b"PK\x03\x04 not a zip")
    (folder / "latin1.json").write_bytes(b'[{"name": "Nguy\xe9n"}]')
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([household_assets.raw_household_survey], instance=instance, resources={
        "warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY),
        "household_survey_source": FileImportSource(folder=str(tmp_path / "imports"))})
    assert result.success
    warnings = sorted(e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING)
    assert warnings == {"vi": [
        "Biểu mẫu household_survey: tệp latin1.json bị từ chối, không nạp dòng nào của tệp (các tệp khác vẫn được "
        "nạp): latin1.json không phải văn bản UTF-8 (tại byte thứ 15): hãy xuất lại tệp từ máy chủ, không mở bằng "
        "Excel",
        "Biểu mẫu household_survey: tệp not-a-zip.zip bị từ chối, không nạp dòng nào của tệp (các tệp khác vẫn được "
        "nạp): không phải tệp nén zip (cần tệp submissions.csv.zip xuất từ ODK Central)"], "en": [
        "Form household_survey: file latin1.json was refused, none of its rows were loaded (the other files were): "
        "latin1.json is not UTF-8 text (at byte 15): export it again from the server without opening it in Excel",
        "Form household_survey: file not-a-zip.zip was refused, none of its rows were loaded (the other files "
        "were): not a zip archive (expected ODK Central's submissions.csv.zip)"]}[language]
