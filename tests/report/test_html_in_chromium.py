"""The web page in headless Chromium (``chromium.py``): its charts are drawn in their own colours; its table of
contents is on the first screen and each link scrolls to its section or indicator; printed, it is A4 landscape,
each section from a new page, with no navigation, in readable type, on a sane number of pages."""

import pytest

from tests.report.chromium import chromium, pdf_pages
from tests.report.png import colours, read_png
from warehouse.report import write_html_page

# Fill colours only the SVG charts use (page_style.py): neutral bars / year columns, met and off-track bars.
BREAKDOWN_BAR, MET_BAR, OFF_TRACK_BAR, QUARTER_COLUMN = (0x5F, 0x86, 0xB3), (0x1D, 0x7F, 0x46), (0xC4, 0x46, 0x2A), \
    (0x9D, 0xB8, 0xD8)
CONTENTS_BACKGROUND = (0xF4, 0xF7, 0xFB)
SCREEN = (1280, 900)
A4_LANDSCAPE_PT, A4_CONTENT_PX = (841.9, 595.3), (1032, 703)  # the page; inside its 12 mm margins at 96 px/inch
SECTIONS = 7

PAGE_PLAN = """(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const nav = document.querySelector("nav.contents");
  return {
    cover: box(document.querySelector("header.cover")),
    contents: nav && box(nav),
    links: nav ? [...nav.querySelectorAll("a")].map(a => a.getAttribute("href")) : [],
    targets: [...document.querySelectorAll("main > section[id], article.indicator[id], main > footer[id]")]
      .map(e => "#" + e.id),
  };
})()"""

FOLLOW = """(async href => {
  window.scrollTo(0, 0);
  document.querySelector(`nav.contents a[href="${href}"]`).click();
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const target = document.getElementById(decodeURIComponent(href.slice(1)));
  const bottom = document.documentElement.scrollHeight - innerHeight;
  return {top: Math.round(target.getBoundingClientRect().top), atBottom: Math.abs(scrollY - bottom) < 2,
          scrolled: scrollY};
})"""

PRINTED = """(() => {
  const shown = e => e.getClientRects().length > 0;
  const size = e => parseFloat(getComputedStyle(e).fontSize);
  const texts = [...document.querySelectorAll("main *:not(svg *)")].filter(e => shown(e)
    && [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()));
  const svgScale = t => { const s = t.ownerSVGElement; return s.getBoundingClientRect().width / s.viewBox.baseVal.width; };
  const sections = [...document.querySelectorAll("main > section")];
  return {
    navigation: [...document.querySelectorAll("nav, .to-contents")].filter(shown).length,
    breaks: sections.map(s => getComputedStyle(s).breakBefore),
    rowsKeptWhole: [...document.querySelectorAll("tr")].every(r => getComputedStyle(r).breakInside === "avoid"),
    headerRepeats: [...document.querySelectorAll("thead")].every(h => getComputedStyle(h).display === "table-header-group"),
    smallestText: Math.min(...texts.map(size)),
    smallestBody: Math.min(...[...document.querySelectorAll("td, th, li, dd, p.why")].filter(shown).map(size)),
    smallestChartText: Math.min(...[...document.querySelectorAll("svg text")].map(t => size(t) * svgScale(t))),
    widestChart: Math.max(...[...document.querySelectorAll("svg.chart")].map(s => s.getBoundingClientRect().right)),
    pageWidth: document.documentElement.clientWidth,
    sectionPages: sections.map(s => Math.ceil(s.getBoundingClientRect().height / innerHeight)),
  };
})()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium") / "profile") as tab:
        yield tab


@pytest.fixture
def page(province_report, tmp_path):
    return write_html_page(province_report, tmp_path / "report.html")


def test_page_renders_with_its_charts(page, browser):
    browser.open(page, 1280, 4000)
    width, height, rows = read_png(browser.screenshot())
    assert (width, height) == (1280, 4000)
    counts = colours(width, rows)
    assert len(counts) > 200, "the screenshot is nearly blank"
    background = max(counts.values())
    assert background < 0.8 * width * height, "the screenshot is mostly one colour"
    assert counts.get(OFF_TRACK_BAR, 0) > 1500, "no off-track bar drawn (1.1, 1.2 against their targets)"
    assert counts.get(MET_BAR, 0) > 1500, "no met bar drawn (2.2 against its target)"
    assert counts.get(BREAKDOWN_BAR, 0) > 3000, "no breakdown bars or year columns drawn"
    assert counts.get(QUARTER_COLUMN, 0) > 300, "no quarter column drawn"


def test_contents_on_the_first_screen_lead_to_every_section_and_indicator(page, browser):
    browser.open(page, *SCREEN)
    plan = browser.evaluate(PAGE_PLAN)
    assert plan["contents"], "no table of contents"
    left, top, right, bottom = plan["contents"]
    assert abs(top - plan["cover"][3]) < 1 and bottom <= SCREEN[1], "the contents are not right under the cover"
    assert plan["links"] == plan["targets"]  # every section and indicator card, in the page's order
    assert len(plan["targets"]) == SECTIONS + 5 + 1  # the 5 cards of indicators with data; the notes
    width, _, rows = read_png(browser.screenshot())
    stride = len(rows[0]) // width
    inside = [tuple(rows[y][x * stride:x * stride + 3]) for y in range(int(top) + 1, int(bottom) - 1)
              for x in range(int(left) + 1, int(right) - 1)]
    share = inside.count(CONTENTS_BACKGROUND) / len(inside)
    ink = sum(1 for rgb in inside if sum(rgb) < 3 * 0x60)
    assert 0.6 < share < 0.98 and ink > 2000, f"contents not drawn: background {share:.0%}, {ink} dark pixels"
    for href in plan["links"]:
        landed = browser.evaluate(f"({FOLLOW})({href!r})")
        assert landed["scrolled"] > 0 and (abs(landed["top"]) <= 1 or landed["atBottom"]), (href, landed)


def test_printed_page_by_page_without_navigation_in_readable_type(page, browser):
    browser.open(page, *A4_CONTENT_PX)
    pdf = browser.pdf()
    browser.media("print")
    printed = browser.evaluate(PRINTED)
    assert printed["navigation"] == 0, "navigation is printed"
    assert printed["breaks"] == ["auto"] + ["page"] * (SECTIONS - 1), "sections do not start a page"
    assert printed["rowsKeptWhole"] and printed["headerRepeats"]
    assert printed["smallestBody"] >= 10 * 96 / 72, printed  # 10 pt: tables, lists, explanations
    assert printed["smallestText"] >= 9 * 96 / 72, printed
    assert printed["smallestChartText"] >= 7.5 * 96 / 72, printed  # charts are not shrunk to fit
    assert printed["widestChart"] <= printed["pageWidth"]
    width, _, rows = read_png(browser.screenshot())
    assert colours(width, rows).get(CONTENTS_BACKGROUND, 0) == 0, "the contents are drawn in print"

    sizes = pdf_pages(pdf)
    pages = len(sizes)
    assert all(abs(w - A4_LANDSCAPE_PT[0]) < 1 and abs(h - A4_LANDSCAPE_PT[1]) < 1 for w, h in sizes), set(sizes)
    assert SECTIONS <= sum(printed["sectionPages"]) <= pages <= sum(printed["sectionPages"]) + SECTIONS, \
        (pages, printed["sectionPages"])
