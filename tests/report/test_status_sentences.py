"""Each status explained in one sentence, in Vietnamese and English, with the interval of a sample estimate and
the reliability flag; the page and the workbook show the sentence (numbers in ``warehouse_state``, one cell
changed here)."""

import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from tests.report import warehouse_state
from tests.report.conftest import PRODUCED_ON, PROVINCE
from warehouse.report import gather_report, render_html, write_workbook
from warehouse.report.formatting import Formatter
from warehouse.report.indicator_results import Cell, TargetInForce
from warehouse.report.labels import Labels
from warehouse.schema.models import IndicatorValue

AT_MOST_2025 = TargetInForce("<=", 0.049, 2025, "QĐ 782")
AT_MOST_2030 = TargetInForce("<=", 0.045, 2030, "QĐ 782")
AT_LEAST = TargetInForce(">=", 0.8, 2025, "1871/QĐ-UBND")
MINIMISE = TargetInForce("minimise", None, 2030, "QĐ 782")


def sample(period: str, num: int, den: int, interval: tuple[float, float], status: str, unreliable=False) -> Cell:
    return Cell(period, num, den, num / den, *interval, status, unreliable=unreliable)


def exact(period: str, num: int, den: int, status: str) -> Cell:
    return Cell(period, num, den, num / den, None, None, status)


# intervals: Wilson 95%, worked by hand in tests/warehouse/test_status_with_uncertainty.py
@pytest.mark.parametrize("cell, target, sentence", [
    (sample("2025", 10, 1000, (0.00544, 0.01831), "met", unreliable=True), AT_MOST_2025,
     "Đạt chỉ tiêu: toàn bộ khoảng tin cậy 95% (0,5%–1,8%) đạt mức ≤ 4,9% (2025). "
     # CV = √((1 − 0.01)/10) = 0.31464
     "Ước tính kém tin cậy (hệ số biến thiên 31,5%, cỡ mẫu 1.000): cần thận trọng khi sử dụng."),
    (exact("2025", 9, 10, "met"), AT_LEAST, "Đạt chỉ tiêu: kết quả 90,0% đạt mức ≥ 80,0% (2025)."),
    (sample("2025", 20, 500, (0.02604, 0.06097), "cannot_tell"), AT_MOST_2025,
     "Chưa thể kết luận: khoảng tin cậy 95% (2,6%–6,1%) chứa chỉ tiêu 4,9%."),
    (sample("2025", 60, 500, (0.09437, 0.15142), "off_track"), AT_MOST_2025,
     "Chưa đạt: toàn bộ khoảng tin cậy 95% (9,4%–15,1%) nằm ngoài mức ≤ 4,9% (2025)."),
    (exact("2025", 7, 10, "off_track"), AT_LEAST, "Chưa đạt: kết quả 70,0% không đạt mức ≥ 80,0% (2025)."),
    (sample("2026", 50, 500, (0.07668, 0.12942), "on_track"), AT_MOST_2030,
     "Đúng tiến độ: kết quả 10,0% chưa đạt mức ≤ 4,5% (2030) nhưng so với năm trước đã tiến đủ nhanh để đạt đúng "
     "hạn."),
    (sample("2026", 55, 500, (0.08549, 0.14046), "off_track"), AT_MOST_2030,
     "Chậm tiến độ: kết quả 11,0% chưa đạt mức ≤ 4,5% (2030) và chưa tiến đủ nhanh so với năm trước để đạt đúng "
     "hạn."),
    (exact("2026", 45, 100, "on_track"), MINIMISE,
     "Đúng hướng: kết quả 45,0% thấp hơn năm trước (chỉ tiêu: Giảm tối đa (2030))."),
    (exact("2026", 47, 100, "off_track"), MINIMISE,
     "Chưa đúng hướng: kết quả 47,0% không thấp hơn năm trước (chỉ tiêu: Giảm tối đa (2030))."),
    (Cell("2026", None, None, None, None, None, "suppressed", suppression_reason="small_count"), AT_MOST_2030,
     "Ẩn để bảo vệ trẻ em: số trẻ em quá nhỏ ở một địa bàn nhỏ, có thể nhận ra từng em."),
    (Cell("2026", None, None, None, None, None, "suppressed", suppression_reason="complementary"), AT_MOST_2030,
     "Ẩn thêm để bảo vệ trẻ em: nếu công bố, có thể dùng phép trừ để tính ra một ô bị ẩn."),
    (Cell("2026", None, None, None, None, None, "no_data"), AT_MOST_2030,
     "Chưa có số liệu của địa bàn cho kỳ báo cáo."),
    (Cell("2026", 12, None, None, None, None, "no_denominator"), None,
     "Chưa có mẫu số: chưa có dân số tham chiếu của địa bàn cho năm báo cáo."),
    (exact("2026", 9, 10, "no_target"), None, "Chưa có chỉ tiêu để so sánh cho địa bàn và năm này."),
])
def test_each_status_in_one_vietnamese_sentence(cell, target, sentence):
    assert Formatter(Labels("vi"), min_cell=5).explain(cell, target, "share") == sentence


@pytest.mark.parametrize("cell, target, sentence", [
    (sample("2025", 20, 500, (0.02604, 0.06097), "cannot_tell"), AT_MOST_2025,
     "Cannot tell yet: the 95% interval (2.6%–6.1%) contains the target 4.9%."),
    (sample("2025", 10, 1000, (0.00544, 0.01831), "met"), AT_MOST_2025,
     "Target met: the whole 95% interval (0.5%–1.8%) meets ≤ 4.9% (2025)."),
    (sample("2025", 60, 500, (0.09437, 0.15142), "off_track"), AT_MOST_2025,
     "Not met: the whole 95% interval (9.4%–15.1%) lies outside ≤ 4.9% (2025)."),
    (sample("2026", 50, 500, (0.07668, 0.12942), "on_track"), AT_MOST_2030,
     "On track: the value 10.0% does not meet ≤ 4.5% (2030) yet but moved since the year before at the pace "
     "that meets it on time."),
    (Cell("2026", None, None, None, None, None, "suppressed", suppression_reason="complementary"), AT_MOST_2030,
     "Also suppressed to protect children: shown, it would let a suppressed cell be worked out by subtraction."),
])
def test_and_in_english(cell, target, sentence):
    assert Formatter(Labels("en"), min_cell=5).explain(cell, target, "share") == sentence


@pytest.fixture
def uncertain_report(sqlite_engine):
    """The province's 1.1 of 2026 changed to 9 of 200 children: p = 0.045, Wilson 95% centre
    (0.045 + 0.0096037) / 1.019207 = 0.053575, half-width 1.96·√(0.045·0.955/200 + 3.84146/160000) / 1.019207
    = 0.029722: 2.385%–8.330%, which contains the target 4.5%; CV = √(0.955/9) = 0.32575 > 0.30: unreliable."""
    iv = IndicatorValue
    with sqlite_engine.begin() as conn:
        changed = conn.execute(update(iv).where(
            iv.indicator_id == "1.1", iv.source == "household_survey", iv.rule_set == "vn_law", iv.period == "2026",
            iv.area_level == "province", iv.area_code == warehouse_state.PROVINCE, iv.dimension == "total").values(
            numerator=9, denominator=200, value=0.045, ci_low=0.02385, ci_high=0.08330, gap=0.0,
            status="cannot_tell"))
        assert changed.rowcount == 1
    return gather_report(sqlite_engine, PROVINCE, warehouse_state.YEAR, generated_on=PRODUCED_ON)


VI = ("Chưa thể kết luận: khoảng tin cậy 95% (2,4%–8,3%) chứa chỉ tiêu 4,5%. Ước tính kém tin cậy (hệ số biến "
      "thiên 32,6%, cỡ mẫu 200): cần thận trọng khi sử dụng.")
EN = ("Cannot tell yet: the 95% interval (2.4%–8.3%) contains the target 4.5%. Unreliable estimate (coefficient "
      "of variation 32.6%, sample of 200): use with caution.")


def test_only_sample_estimates_are_flagged(uncertain_report):
    results = {(r.indicator_id, r.source): r for r in uncertain_report.indicators}
    child_labour = results["1.1", "household_survey"]
    assert child_labour.cell.status == "cannot_tell" and child_labour.cell.unreliable
    assert not results["2.2", "household_survey"].cell.unreliable  # 300/382: CV = √((82/382)/300) = 0.0267
    assert not results["1.2", "cases"].cell.unreliable  # 9/10, but a register count has no sampling error
    assert ("cannot_tell", 1) in uncertain_report.statuses()


def test_the_page_shows_the_sentence(uncertain_report):
    vi, en = render_html(uncertain_report, "vi"), render_html(uncertain_report, "en")
    indicators = re.search(r'<section id="indicators">(.*?)</section>', vi, re.S).group(1)
    assert '<span class="badge status-cannot_tell">? Chưa thể kết luận</span>' f'<small class="why">{VI}</small>' \
           in indicators
    assert '<small class="unreliable">Kém tin cậy</small>' in indicators
    assert ('<small class="why">Đạt chỉ tiêu: toàn bộ khoảng tin cậy 95% (74,1%–82,4%) đạt mức ≥ 70,0% (2025).'
            '</small>') in indicators
    card = re.search(r'<article class="indicator" id="indicator-1.1-household_survey">(.*?)</article>', vi,
                     re.S).group(1)
    assert f'<p class="why">{VI}</p>' in card
    assert '<div class="tile status-cannot_tell"><span class="big">1</span><span>Chưa thể kết luận</span>' in vi
    assert f'<small class="why">{EN}</small>' in en


def test_the_workbook_shows_the_sentence(uncertain_report, tmp_path):
    sheet = load_workbook(write_workbook(uncertain_report, tmp_path / "report.xlsx"))["Chỉ tiêu"]
    assert sheet["N1"].value == "Đánh giá" and sheet["O1"].value == "Giải thích đánh giá"
    row = next(r[0].row for r in sheet.iter_rows(min_row=2)
               if r[0].value == "1.1" and r[2].value == "Khảo sát hộ gia đình")
    assert (sheet[f"N{row}"].value, sheet[f"O{row}"].value) == ("Chưa thể kết luận", VI)
    assert sheet.auto_filter.ref.startswith("A1:O")


def test_a_design_based_estimate_is_judged_on_its_effective_sample():
    """Hà Nội-like: 12 of 1,000 children, a design effect of 4 makes the effective sample 250. Counted as collected
    the CV would be √(0.988/12) = 0.287 (reliable); on the effective sample, 3 "successes" of 250:
    √(0.988/3) = 0.57388 > 0.30, and 250 ≥ 50: unreliable by its CV, and the sentence names the effective sample."""
    from warehouse.indicators.cells import Reliability
    from warehouse.report.indicator_results import _cell

    row = {"period": "2026", "numerator": 12, "denominator": 1000, "value": 0.012, "ci_low": 0.005,
           "ci_high": 0.027, "status": "cannot_tell", "exact_territory": True, "effective_n": 250.0}
    cell = _cell(row, Reliability(max_cv=0.30, min_sample=50))
    assert cell.unreliable and cell.sample() == pytest.approx((3.0, 250.0))
    assert not _cell({**row, "effective_n": None}, Reliability(max_cv=0.30, min_sample=50)).unreliable
    sentence = Formatter(Labels("en"), min_cell=5).explain(cell, AT_MOST_2030, "share")
    assert sentence.endswith("Unreliable estimate (coefficient of variation 57.4%, effective sample of 250 under the "
                             "survey design): use with caution.")
