"""The web page is one self-contained file whose SVG charts have a bar, a column or a mark for what they show
(numbers in ``warehouse_state``)."""

import re
from html.parser import HTMLParser

import pytest

from warehouse.report import render_html, write_html_page


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element with a ``class``."""

    def __init__(self, page: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def find(self, tag: str, css: str | None = None, **data) -> list[dict]:
        return [a for t, a in self.elements if t == tag and (css is None or css in a.get("class", "").split())
                and all(a.get(k.replace("_", "-")) == v for k, v in data.items())]


@pytest.fixture
def page(province_report):
    return render_html(province_report)


def section(page: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}">(.*?)</section>', page, re.S).group(1)


def test_self_contained(page, province_report, tmp_path):
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"vi\">")
    assert "<title>Báo cáo kết quả thực hiện Chương trình phòng ngừa, giảm thiểu lao động trẻ em năm 2026 — " \
           "Tỉnh Lạng Sơn</title>" in page
    assert "<style>" in page
    for outside in ("<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "http://", "https://"):
        assert outside not in page
    path = write_html_page(province_report, tmp_path / "report.html")
    assert path.read_text(encoding="utf-8") == page


def test_overview_chart_has_a_bar_per_indicator_with_a_value_and_a_mark_per_target(page):
    html = Elements(page)
    [overview] = html.find("svg", "chart", data_chart="overview")
    bars = html.find("rect", "bar")
    overview_bars = [b["data-key"] for b in bars if "/" in b["data-key"]]
    assert overview_bars == ["1.1/household_survey", "1.2/cases", "2.2/household_survey", "4.2d/cases"]
    assert [float(b["data-value"]) for b in bars if "/" in b["data-key"]] == pytest.approx(
        [46 / 382, 0.9, 300 / 382, 0.4], abs=1e-5)
    assert {b["class"] for b in bars if "/" in b["data-key"]} == {"bar tone-off_track", "bar tone-met",
                                                                  "bar tone-neutral"}  # 4.2d: no target
    rows = [g["data-key"] for g in html.find("g", "row") if "/" in g.get("data-key", "")]
    assert rows == ["1.1/household_survey", "1.2/cases", "1.3/cases", "2.2/household_survey",
                    "4.2d/cases"]  # 1.3: target only
    assert len(re.findall(r'class="target-mark"', section(page, "indicators"))) == 4
    assert overview["aria-label"] == "Kết quả so với chỉ tiêu"


def test_a_card_with_charts_for_each_indicator_with_data(page):
    html = Elements(page)
    cards = [a["id"] for a in html.find("article", "indicator")]
    assert cards == ["indicator-1.1-household_survey", "indicator-1.2-cases", "indicator-2.2-household_survey",
                     "indicator-4.2b-cases", "indicator-4.2d-cases"]
    trends = html.find("svg", "chart", data_chart="trend")
    assert [t["data-indicator"] for t in trends] == ["1.1", "1.2", "2.2", "4.2b", "4.2d"]
    card = re.search(r'<article class="indicator" id="indicator-1.1-household_survey">(.*?)</article>', page,
                     re.S).group(1)
    columns = Elements(card).find("rect", "column")
    assert [c["data-period"] for c in columns] == ["2025", "2026", "Quý 1"]  # Quý 2 is suppressed: no column
    assert ">Ẩn</text>" in card
    assert len(re.findall(r'class="target-line"', card)) == 6  # trend, sex, age band, sector, craft village, commune
    inner = Elements(card)
    assert [b["data-key"] for b in inner.find("rect", "bar")] == [
        "male", "female", "5-12", "15-17", "agriculture_forestry_fishery", "services", "not_working", "yes", "no",
        "05977", "06001"]
    assert [s["aria-label"] for s in inner.find("svg", "chart")][3:5] == ["Theo ngành của công việc", "Theo làng nghề"]
    assert ">Dịch vụ (buôn bán, ăn uống, vận tải...)</text>" in card and ">Không làm việc</text>" in card
    assert ">Trong làng nghề</text>" in card
    assert [g["data-key"] for g in inner.find("g", "row")][-3:] == ["05977", "05983", "06001"]
    hidden = re.search(r'<g class="row" data-key="05983">(.*?)</g>', card).group(1)  # Phường Lương Văn Tri
    assert "<rect" not in hidden and re.search(r'<text class="note"[^>]*>Ẩn \(dưới 5\)</text>', hidden)


def test_status_badges_and_words_for_what_is_not_shown(page):
    indicators = section(page, "indicators")
    assert indicators.count('class="badge status-off_track"') == 2
    assert indicators.count('class="badge status-met"') == 1
    assert '<strong>Chưa có mẫu số</strong><small>12</small>' in indicators
    assert "<strong>12,0%</strong><small>46 / 382</small>" in indicators
    assert "≤ 4,5% (2030)" in indicators and "+7,5 điểm %" in indicators
    inspections = section(page, "inspections")
    assert "<td>Phát hiện sử dụng lao động trẻ em</td><td class=num>3</td>" in inspections  # establishments
    assert inspections.count('<span class="suppressed">Ẩn</span>') == 2  # fines total, young labourers
    assert "<td>Có vi phạm</td><td class=num>6</td>" in inspections
    cases = section(page, "cases")
    assert "<td>Trường hợp được phát hiện trong kỳ</td><td class=num>10</td>" in cases
    activities = section(page, "activities")
    assert "<td>Lượt người tham dự</td><td class=num>100</td>" in activities
    assert "<td>Truyền thông trực tiếp, nói chuyện chuyên đề</td><td class=num>2</td><td class=num>80</td>" \
        in activities


def test_english_page(province_report):
    page = render_html(province_report, language="en")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "Progress report on the Programme on preventing and reducing child labour, 2026 — Tỉnh Lạng Sơn" in page
    assert "Child-labour rate among children and minors aged 5–17" in page
    assert "<strong>12.0%</strong>" in page and "+7.5 pp" in page
    assert ">By sector of work</figcaption>" in page and ">Not working</text>" in page
    assert ">Not in a craft village</text>" in page
    for vietnamese in ("Chưa đạt", "Đạt chỉ tiêu", "Ẩn (dưới 5)", "Chỉ tiêu kế hoạch"):
        assert vietnamese not in page


def test_old_territory_says_so(sqlite_engine):
    from tests.report.conftest import LEGACY_PROVINCE, PRODUCED_ON
    from warehouse.report import gather_report

    page = render_html(gather_report(sqlite_engine, LEGACY_PROVINCE, 2026, generated_on=PRODUCED_ON))
    assert "— Tỉnh An Giang (địa giới trước 01/7/2025)</title>" in page
    assert "Một số xã, phường mới nằm một phần ngoài địa bàn cũ" in page
