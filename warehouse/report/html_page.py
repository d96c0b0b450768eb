"""The progress report as one self-contained web page: inline CSS and inline SVG charts, nothing fetched,
readable on screen with a table of contents, printable on A4 (each section from a new page, without the
navigation), safe to send by email."""

from __future__ import annotations

from html import escape
from pathlib import Path

from warehouse.indicators.periods import DateRange
from warehouse.infra.atomic_file import replaced_atomically
from warehouse.report.completeness import period_label, sentence
from warehouse.report.counts import Count
from warehouse.report.formatting import Formatter
from warehouse.report.gather import ProgressReport
from warehouse.report.indicator_results import Cell, Group, IndicatorResult
from warehouse.report.page_style import STYLE
from warehouse.report.programme import ProgrammeRegisters
from warehouse.report.svg_charts import Bar, Column, axis_for, bar_chart, column_chart

STATUS_SYMBOLS = {"met": "✓", "on_track": "↗", "off_track": "✗", "cannot_tell": "?"}
SECTIONS = {"summary": (1, "summary"), "indicators": (2, "indicators"), "details": (3, "indicator_details"),
            "activities": (4, "activities"), "inspections": (5, "inspections"), "cases": (6, "cases"),
            "completeness": (7, "completeness"), "programme": (8, "programme_registers")}
REPORTING_BADGES = {"on_time": "met", "late": "cannot_tell", "missing": "off_track", "not_due": "no_target"}
TONES = {"met": "met", "on_track": "on_track", "off_track": "off_track", "cannot_tell": "cannot_tell",
         "no_target": "neutral"}


def write_html_page(report: ProgressReport, path: str | Path, language: str = "vi") -> Path:
    path = Path(path)
    page = render_html(report, language)
    with replaced_atomically(path) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return path


def render_html(report: ProgressReport, language: str = "vi") -> str:
    f = Formatter.for_report(report, language)
    title = f.title(report)
    body = "".join([
        _cover(report, f, title),
        _contents(report, f),
        _summary(report, f),
        _indicators(report, f),
        _details(report, f),
        _activities(report, f),
        _inspections(report, f),
        _cases(report, f),
        _completeness(report, f),
        _programme(report, f),
        _notes(report, f),
    ])
    return (f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f'<body><main class="report">{body}</main></body></html>\n')


# ---------------------------------------------------------------- pieces


def _badge(status: str, f: Formatter) -> str:
    symbol = STATUS_SYMBOLS.get(status, "•")
    return f'<span class="badge status-{status}">{symbol} {escape(f.status(status))}</span>'


def _tone(status: str) -> str:
    return TONES.get(status, "muted")


def _key(result: IndicatorResult) -> str:
    return f"{result.indicator_id}/{result.source}"


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), css: str = "") -> str:
    """A table from already-escaped cells; columns in ``numeric`` are right-aligned."""
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{h}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{c}</td>' for i, c in enumerate(row))
                   + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _count(count: Count, f: Formatter) -> str:
    text = escape(f.count(count))
    return f'<span class="suppressed">{text}</span>' if count.suppressed else text


def _section(anchor: str, content: str, f: Formatter) -> str:
    number, label = SECTIONS[anchor]
    return (f'<section id="{anchor}"><h2><span class="num">{number}.</span> {escape(f.labels(label))}'
            f'{_to_contents(f)}</h2>{content}</section>')


def _to_contents(f: Formatter) -> str:
    return f'<a class="to-contents" href="#contents">↑ {escape(f.labels("to_contents"))}</a>'


def _card_id(r: IndicatorResult) -> str:
    return f"indicator-{r.indicator_id}-{r.source}"


# ---------------------------------------------------------------- cover and summary


def _cover(report: ProgressReport, f: Formatter, title: str) -> str:
    lab = f.labels
    meta = [lab("generated_on", date=f.date(report.generated_on)), *f.data_state(report)]
    if report.area.level == "province":
        meta.append(lab("communes_in_area", n=f.integer(len(report.details.communes))))
    return (f'<header class="cover"><p class="kicker">{escape(lab("system"))}</p><h1>{escape(title)}</h1>'
            f'<p class="programme">{escape(lab("programme"))}</p>'
            f'<p class="meta">{" · ".join(escape(m) for m in meta)}</p></header>')


def _contents(report: ProgressReport, f: Formatter) -> str:
    """Links to each section and to each indicator's card, in the order of the page (not printed)."""
    lab, items = f.labels, []
    cards = "".join(f'<li><a href="#{escape(_card_id(r))}"><span class="code">{escape(r.indicator_id)}</span> '
                    f'{escape(lab.indicator(r.indicator_id))}<small>{escape(lab.source(r.source))}</small></a></li>'
                    for r in report.indicators if r.has_data)
    for anchor, (number, label) in SECTIONS.items():
        if (anchor == "details" and not cards) or (anchor == "programme" and report.programme == ProgrammeRegisters()):
            continue  # no card, no section; no programme register of the area
        items.append(f'<li><a href="#{anchor}"><span class="num">{number}.</span> {escape(lab(label))}</a>'
                     + (f'<ol class="cards">{cards}</ol>' if anchor == "details" else "") + "</li>")
    items.append(f'<li><a href="#notes">{escape(lab("notes"))}</a></li>')
    return (f'<nav class="contents" id="contents" aria-label="{escape(lab("contents"))}">'
            f'<h2>{escape(lab("contents"))}</h2><ol>{"".join(items)}</ol></nav>')


def _summary(report: ProgressReport, f: Formatter) -> str:
    lab = f.labels
    tiles = "".join(f'<div class="tile status-{s}"><span class="big">{n}</span>'
                    f'<span>{escape(f.status(s))}</span></div>' for s, n in report.statuses())
    a, i, c = report.activities, report.inspections, report.cases
    figures = [
        (lab("activities_held"), escape(f.integer(a.activities))),
        (lab("participants"), escape(f.integer(a.participants))),
        (lab("inspected"), escape(f.integer(i.inspected))),
        (lab("found_child_labour"), _count(i.child_labour, f)),
        (lab("cases_identified"), _count(c.identified, f)),
        (lab("cases_supported_in_time"), _count(c.supported_in_time, f)),
    ]
    cards = "".join(f'<div class="figure"><span class="big">{value}</span><span>{escape(label)}</span></div>'
                    for label, value in figures)
    content = (f'<h3>{escape(lab("status_overview"))}</h3><div class="tiles">{tiles}</div>'
               f'<h3>{escape(lab("key_figures"))}</h3><div class="figures">{cards}</div>')
    return _section("summary", content, f)


# ---------------------------------------------------------------- indicators


def _indicators(report: ProgressReport, f: Formatter) -> str:
    lab = f.labels
    rows = []
    for r in report.indicators:
        target = escape(f.target(r.target, r.unit))
        value = f'<strong>{escape(f.value(r.cell, r.unit))}</strong>'
        if f.fraction(r.cell):
            value += f"<small>{escape(f.fraction(r.cell))}</small>"
        if r.cell.unreliable:
            value += f'<small class="unreliable">{escape(lab("unreliable"))}</small>'
        rows.append([
            f'<span class="code">{escape(r.indicator_id)}</span>',
            f'{escape(lab.indicator(r.indicator_id))}<small>{escape(lab.source(r.source))}</small>',
            value, escape(f.interval(r.cell)), target, escape(f.gap(r.gap, r.unit)),
            _badge(r.cell.status, f) + f'<small class="why">{escape(f.explain(r.cell, r.target, r.unit))}</small>'])
    table = _table([escape(lab(k)) for k in ("code", "indicator", "value", "interval", "target", "gap", "status")],
                   rows, numeric={2, 3, 5}, css="indicators")
    documents = sorted({r.target.source_document for r in report.indicators if r.target})
    if documents:
        table += f'<p class="source-doc">{escape(lab("target_source"))}: {escape("; ".join(documents))}</p>'
    shares = [r for r in report.indicators if r.unit == "share" and (r.cell.value is not None or r.target)]
    chart = ""
    if shares:
        bars = [Bar(f"{r.indicator_id} {lab.indicator(r.indicator_id)}\n{lab.source(r.source)}", r.cell.value,
                    f.value(r.cell, r.unit),
                    r.cell.ci_low, r.cell.ci_high, r.target.value if r.target else None, _tone(r.cell.status), _key(r))
                for r in shares]
        chart = (f'<figure class="wide"><figcaption>{escape(lab("chart_value_vs_target"))}'
                 f'<span class="legend"><i class="swatch target"></i>{escape(lab("target_line"))}</span></figcaption>'
                 + bar_chart(bars, title=lab("chart_value_vs_target"), axis=(1.0, 0.25), tick=_tick("share", f),
                             label_width=330, width=980, chart="overview") + "</figure>")
    return _section("indicators", table + chart, f)


def _axis(unit: str, values: list[float | None]) -> tuple[float, float]:
    """Shares above one half on 0–100%; anything else on a round axis just above its largest value."""
    top = max([v for v in values if v is not None] or [0.0])
    if unit == "share" and top > 0.5:
        return 1.0, 0.25
    return axis_for(top * 1.05 if top > 0 else (0.1 if unit == "share" else 10))


def _tick(unit: str, f: Formatter):
    def tick(v: float) -> str:
        shown = v * 100 if unit == "share" else v
        text = f.decimal(shown, 0 if abs(shown - round(shown)) < 1e-9 else 1)
        return text + "%" if unit == "share" else text
    return tick


def _details(report: ProgressReport, f: Formatter) -> str:
    cards = [_indicator_card(r, report, f) for r in report.indicators if r.has_data]
    return _section("details", "".join(cards), f) if cards else ""


def _indicator_card(r: IndicatorResult, report: ProgressReport, f: Formatter) -> str:
    lab = f.labels
    target_value = r.target.value if r.target else None
    facts = [(lab("value"), f.value(r.cell, r.unit)),
             (f'{lab("numerator")} / {lab("denominator")}', f.fraction(r.cell)),
             (lab("interval"), f.interval(r.cell)), (lab("target"), f.target(r.target, r.unit)),
             (lab("gap"), f.gap(r.gap, r.unit))]
    facts_html = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts if v)
    source_doc = ""
    if r.target:
        source_doc = f'<p class="source-doc">{escape(lab("target_source"))}: {escape(r.target.source_document)}'
        if target_value is not None:
            source_doc += (f'<span class="legend"><i class="swatch dashed"></i>{escape(lab("target_line"))} '
                           f'{escape(f.target(r.target, r.unit))}</span>')
        source_doc += "</p>"
    trend = [(c, "current" if c is r.cell else "year" if c.period.isdigit() else "quarter") for c in r.periods]
    values = [c.value for c, _ in trend] + [target_value]
    charts = [_figure(lab("trend"), column_chart(
        [Column(_period(c.period, f), c.value, _short(c, r.unit, f), tone) for c, tone in trend], title=lab("trend"),
        axis=_axis(r.unit, values), tick=_tick(r.unit, f), target=target_value,
        indicator=r.indicator_id, source=r.source, chart="trend"))]
    breakdowns = [("sex", r.by_sex, lambda g: lab.choice("sex", g.code), 84),
                  ("age_band", r.by_age_band, lambda g: lab.age_band(g.code), 84),
                  ("work_sector", r.by_work_sector, lambda g: lab.work_sector(g.code), 280),
                  ("craft_village", r.by_craft_village, lambda g: lab.craft_village(g.code), 170)]
    for dimension, groups, name, label_width in breakdowns:
        if groups:
            heading = lab(f"by_{dimension}")
            charts.append(_figure(heading, _group_chart(groups, name, heading, r, f, target_value,
                                                        width=201 + label_width, label_width=label_width,
                                                        chart=dimension)))
    by_commune = ""
    if r.by_commune:
        heading = lab("by_commune")
        by_commune = _figure(heading, _group_chart(r.by_commune, lambda g: g.name or g.code, heading, r, f,
                                                   target_value, width=980, label_width=220, chart="commune"),
                             wide=True)
    return (f'<article class="indicator" id="{escape(_card_id(r))}">'
            f'<header><span class="code">{escape(r.indicator_id)}</span><h3>{escape(lab.indicator(r.indicator_id))}'
            f'<small>{escape(lab.source(r.source))}</small></h3>{_badge(r.cell.status, f)}</header>'
            f'<p class="why">{escape(f.explain(r.cell, r.target, r.unit))}</p>'
            f'<dl class="facts">{facts_html}</dl>{source_doc}<div class="charts">{"".join(charts)}</div>'
            f'{by_commune}</article>')


def _period(period: str, f: Formatter) -> str:
    if "_" in period:  # an ad-hoc date range
        return DateRange.parse(period).words(f.labels.language)
    year, _, quarter = period.partition("-Q")
    return f.labels("quarter", q=quarter) if quarter else year


def _short(cell: Cell, unit: str, f: Formatter) -> str:
    if cell.value is not None:
        return f.amount(cell.value, unit)
    return f.labels("suppressed_short") if cell.status == "suppressed" else "—"


def _group_chart(groups: tuple[Group, ...], name, heading: str, r: IndicatorResult, f: Formatter,
                 target_value: float | None, **layout) -> str:
    bars = [Bar(name(g), g.cell.value, f.value(g.cell, r.unit), g.cell.ci_low, g.cell.ci_high,
                tone="neutral" if g.cell.value is not None else "muted", key=g.code) for g in groups]
    values = [g.cell.ci_high if g.cell.ci_high is not None else g.cell.value for g in groups] + [target_value]
    return bar_chart(bars, title=heading, axis=_axis(r.unit, values), tick=_tick(r.unit, f),
                     target=target_value, indicator=r.indicator_id, source=r.source, **layout)


def _figure(caption: str, svg: str, wide: bool = False) -> str:
    return f'<figure{" class=wide" if wide else ""}><figcaption>{escape(caption)}</figcaption>{svg}</figure>'


# ---------------------------------------------------------------- activities, inspections, cases


def _activities(report: ProgressReport, f: Formatter) -> str:
    lab, a = f.labels, report.activities
    totals = _table([escape(lab("item")), escape(lab("number"))], [
        [escape(lab(k)), escape(f.integer(v) if v is not None else lab("suppressed_short"))] for k, v in (
            ("activities_held", a.activities), ("trainings_held", a.trainings), ("participants", a.participants),
            ("participants_male", a.participants_male), ("participants_female", a.participants_female),
            ("participants_sex_not_reported", a.participants_sex_not_reported), ("reached_new", a.reached_new),
            ("trained_new", a.trained_new), *((f"m_{name}", value) for name, value in a.records))],
        numeric={1}, css="compact")
    by_type = _table([escape(lab("activity_type")), escape(lab("activity_count")), escape(lab("participants"))],
                     [[escape(lab.choice("activity_type", t.code)), escape(f.integer(t.activities)),
                       escape(f.integer(t.participants))] for t in a.by_type], numeric={1, 2})
    by_audience = _table(
        [escape(lab(k)) for k in ("audience", "activity_count", "reached", "reached_new", "trained_new")],
        [[escape(lab.choice("audience", g.code)),
          *(escape(f.integer(n)) for n in (g.activities, g.reached, g.reached_new, g.trained_new))]
         for g in a.by_audience], numeric={1, 2, 3, 4})
    chart = ""
    if a.by_type:
        chart = _figure(lab("activity_count"), bar_chart(
            [Bar(lab.choice("activity_type", t.code), t.activities, f.integer(t.activities), key=t.code)
             for t in a.by_type], title=lab("by_activity_type"),
            axis=_axis("count", [t.activities for t in a.by_type]), tick=_tick("count", f), label_width=230,
            width=480, chart="activities"))
    content = (f'<div class="two">{totals}{chart}</div><h3>{escape(lab("by_activity_type"))}</h3>{by_type}'
               f'<h3>{escape(lab("by_audience"))}</h3>{by_audience}')
    return _section("activities", content, f)


def _inspections(report: ProgressReport, f: Formatter) -> str:
    lab, i = f.labels, report.inspections
    fines = escape(f.money(i.fines_total))
    if i.fines_total is None:
        fines = f'<span class="suppressed">{fines}</span>'
    totals = _table([escape(lab("item")), escape(lab("number"))], [
        [escape(lab("inspected")), escape(f.integer(i.inspected))],
        [escape(lab("found_child_labour")), _count(i.child_labour, f)],
        [escape(lab("in_violation")), _count(i.violation, f)],
        [escape(lab("sanctioned")), _count(i.sanctioned, f)],
        [escape(lab("fined")), _count(i.fined, f)],
        [escape(lab("fines_total")), fines],
        [escape(lab("young_workers")), _count(i.young_workers, f)],
        [escape(lab("young_child_labourers")), _count(i.young_child_labourers, f)],
    ], numeric={1}, css="compact")
    by_type = _table([escape(lab(k)) for k in ("establishment_type", "inspected", "found_child_labour", "in_violation",
                                               "sanctioned")],
                     [[escape(lab.choice("establishment_type", t.code)), escape(f.integer(t.inspected)),
                       _count(t.child_labour, f), _count(t.violation, f), _count(t.sanctioned, f)]
                      for t in i.by_establishment_type], numeric={1, 2, 3, 4})
    return _section("inspections", f'{totals}<h3>{escape(lab("by_establishment_type"))}</h3>{by_type}', f)


def _cases(report: ProgressReport, f: Formatter) -> str:
    lab, c = f.labels, report.cases
    totals = _table([escape(lab("item")), escape(lab("number"))], [
        [escape(lab("cases_identified")), _count(c.identified, f)],
        [escape(lab("cases_supported_in_time")), _count(c.supported_in_time, f)],
        [escape(lab("cases_followed_up")), _count(c.followed_up, f)],
        [escape(lab("cases_closed")), _count(c.closed, f)],
    ], numeric={1}, css="compact")
    parts = [totals]
    for heading, column, list_name, counts in (("by_case_type", "case_type", "case_type", c.by_type),
                                               ("by_case_status", "case_status", "case_status", c.by_status),
                                               ("by_closure_reason", "closure_reason", "closure_reason",
                                                c.closed_by_reason)):
        parts.append(f"<h3>{escape(lab(heading))}</h3>" + _table(
            [escape(lab(column)), escape(lab("number"))],
            [[escape(lab.choice(list_name, code)), _count(n, f)] for code, n in counts], numeric={1}, css="compact"))
    return _section("cases", "".join(parts), f)


def _completeness(report: ProgressReport, f: Formatter) -> str:
    """Counts by status, the late and the missing reports named one by one, then every expected report."""
    lab, c = f.labels, report.completeness
    if not c.rows:
        return _section("completeness", f"<p>{escape(lab('no_expected_reporting'))}</p>", f)
    tiles = "".join(f'<div class="tile status-{REPORTING_BADGES[s]}"><span class="big">{escape(f.integer(n))}</span>'
                    f'<span>{escape(lab(f"reporting_{s}"))}</span></div>' for s, n in c.counts())
    parts = [f'<p class="why">{escape(lab("completeness_as_of", date=f.date(c.as_of)))}</p>',
             f'<div class="tiles">{tiles}</div>']
    for status, heading in (("late", "late_communes"), ("missing", "missing_communes")):
        named = [f"<li>{escape(sentence(lab, r, f.date))}</li>" for r in c.of_status(status)]
        parts.append(f'<h3>{escape(lab(heading))}</h3>'
                     + (f'<ul class="{status}">{"".join(named)}</ul>' if named else f"<p>{escape(lab('nobody'))}</p>"))
    rows = [[escape(lab(f"form_{r.form_id}")), escape(period_label(lab, r.period, f.date)),
             escape(lab("commune_with_code", name=r.commune_name, code=r.commune_code)),
             *(escape(f.integer(n)) for n in (r.expected, r.received, r.on_time, r.late, r.missing)),
             escape(f.date(r.deadline)), escape(f.date(r.completed_on)) if r.completed_on else "",
             f'<span class="badge status-{REPORTING_BADGES[r.status]}">{escape(lab(f"reporting_{r.status}"))}</span>']
            for r in c.rows]
    parts.append(_table([escape(lab(k)) for k in ("form", "period", "commune", "expected", "received",
                                                   "received_on_time", "received_late", "still_missing", "deadline",
                                                   "completed_on", "reporting_status")],
                        rows, numeric={3, 4, 5, 6, 7}, css="completeness"))
    return _section("completeness", "".join(parts), f)


def _programme(report: ProgressReport, f: Formatter) -> str:
    """Pilot or model communes against the others, indicators by responsible sector, the budget: what the area's
    programme registers hold (nothing when they hold nothing for it)."""
    lab, p = f.labels, report.programme
    if p == ProgrammeRegisters():
        return ""
    parts = []
    for c in p.comparisons:
        rows = [[f'<span class="code">{escape(i.indicator_id)}</span> {escape(lab.indicator(i.indicator_id))}'
                 f'<small>{escape(lab.source(i.source))}</small>',
                 *(escape(text) for cell in (i.pilot, i.others) for text in (
                     f.fraction(cell), f.value(cell, i.unit) + ("" if cell.exact_territory
                                                                 else f" ({lab('approximate_short')})"),
                     f.interval(cell)))]
                for i in c.indicators]
        sites = lab("programme_sites", kind=lab(f"site_kind_{c.site_kind}"), sites=", ".join(c.sites),
                    pilot=c.pilot_communes, others=c.other_communes)
        parts.append(
            f"<h3>{escape(lab('programme_comparison', name=c.programme_name))}</h3><p class=\"why\">{escape(sites)}</p>"
            + _table([escape(lab("indicator")), *(escape(f"{lab(g)}: {lab(k)}") for g in ("group_pilot", "group_others")
                                                   for k in ("fraction", "value", "interval"))],
                     rows, numeric={1, 2, 3, 4, 5, 6}, css="comparison")
            + f'<p class="why">{escape(lab("comparison_note"))}</p>')
    if p.responsibilities:
        rows = [[escape(lab(f"sector_{r.sector}")), escape(r.agency), escape(lab(f"part_{r.part}")),
                 f'<span class="code">{escape(r.result.indicator_id)}</span> '
                 f'{escape(lab.indicator(r.result.indicator_id))}<small>{escape(lab.source(r.result.source))}</small>',
                 escape(f.value(r.result.cell, r.result.unit)), _badge(r.result.cell.status, f)]
                for r in p.responsibilities]
        parts.append(f"<h3>{escape(lab('by_sector'))}</h3>" + _table(
            [escape(lab(k)) for k in ("sector", "agency", "part", "indicator", "value", "status")], rows,
            numeric={4}, css="sectors"))
    if p.budget:
        rows = [[escape(lab(f"line_{b.activity_line}" if b.activity_line else "budget_total")),
                 escape(f.integer(b.allocated)), escape(f.integer(b.spent)) if b.spent is not None else "—",
                 escape(f.percent(b.share_spent)) if b.share_spent is not None else "—",
                 escape(f.integer(b.unreported))] for b in p.budget]
        parts.append(f"<h3>{escape(lab('budget', year=report.year))}</h3>" + _table(
            [escape(lab(k)) for k in ("activity_line", "allocated", "spent", "share_spent", "unreported")], rows,
            numeric={1, 2, 3, 4}, css="budget") + "".join(
            f'<p class="why">{escape(note)}</p>' for note in f.budget_notes(report)))
    return _section("programme", "".join(parts), f)


def _notes(report: ProgressReport, f: Formatter) -> str:
    items = "".join(f"<li>{escape(n)}</li>" for n in f.notes(report))
    return (f'<footer class="notes" id="notes"><h2>{escape(f.labels("notes"))}{_to_contents(f)}</h2>'
            f'<ul>{items}</ul></footer>')
