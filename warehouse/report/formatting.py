"""Numbers, targets and statuses as words of one language (Vietnamese: 12,5% and 1.234; English: 12.5%, 1,234)."""

from __future__ import annotations

from datetime import date

from warehouse.indicators.cells import CANNOT_TELL, MET, OFF_TRACK, ON_TRACK, SUPPRESSED
from warehouse.indicators.disclosure import SMALL_COUNT
from warehouse.indicators.stats import binomial_cv
from warehouse.report.counts import Count
from warehouse.report.gather import ProgressReport
from warehouse.report.indicator_results import Cell, TargetInForce
from warehouse.report.labels import Labels

COMPARATOR_SIGNS = {"<": "<", "<=": "≤", ">=": "≥", ">": ">"}


class Formatter:
    def __init__(self, labels: Labels, min_cell: int):
        self.labels = labels
        self.min_cell = min_cell

    @classmethod
    def for_report(cls, report: ProgressReport, language: str) -> Formatter:
        return cls(Labels(language, report.indicator_names), report.min_cell)

    def title(self, report: ProgressReport) -> str:
        """E.g. "Báo cáo kết quả thực hiện Chương trình … quý III/2026 — Tỉnh Lạng Sơn"."""
        period = report.period.words(self.labels.language)
        return f"{self.labels('title', period=period)} — {self.area_name(report)}"

    def budget_notes(self, report: ProgressReport) -> list[str]:
        """Under the budget table: how the share spent is taken, and, in a report of part of a year, that budget
        lines are yearly only."""
        notes = [self.labels("budget_note")]
        if report.period.kind != "year":
            notes.append(self.labels("budget_yearly", year=report.year,
                                     period=report.period.words(self.labels.language)))
        return notes

    def area_name(self, report: ProgressReport) -> str:
        name = report.details.name
        if report.area.legacy:
            name += f" ({self.labels('legacy_area')})"
        if report.details.parent_name:
            name += f", {self.labels('part_of', name=report.details.parent_name)}"
        return name

    def notes(self, report: ProgressReport) -> list[str]:
        """How to read the report: suppression, missing denominators, intervals, rules, gap, territory, version."""
        lab = self.labels
        notes = [lab("note_suppression", min_cell=report.min_cell), lab("note_no_denominator"), lab("note_interval"),
                 lab("note_rule_set"), lab("note_gap")]
        notes += [lab("note_legacy")] if report.area.legacy else []
        notes += [] if report.exact_territory else [lab("note_approximate")]
        return [*notes, lab("note_version", version=report.settings_version)]

    def data_state(self, report: ProgressReport) -> list[str]:
        """Whether the figures are provisional, approved or reopened; the data cut-off, if any."""
        state = report.approval
        approved_on = date.fromisoformat(state.approved_at[:10]) if state.approved_at else None
        lines = [self.labels(f"figures_{state.state}", date=self.date(approved_on) if approved_on else "")]
        if report.cutoff is not None:
            lines.append(self.labels("cutoff", date=self.date(report.cutoff)))
        return lines

    def date(self, day) -> str:
        return day.strftime("%d/%m/%Y") if self.labels.language == "vi" else day.strftime("%d %B %Y")

    def _localise(self, text: str) -> str:
        if self.labels.language != "vi":
            return text
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")

    def integer(self, n: int) -> str:
        return self._localise(f"{n:,}")

    def decimal(self, x: float, digits: int = 1) -> str:
        return self._localise(f"{x:,.{digits}f}")

    def percent(self, share: float, digits: int = 1) -> str:
        return self.decimal(share * 100, digits) + "%"

    def amount(self, value: float, unit: str) -> str:
        """A share as a percent, or a number of days."""
        return self.percent(value) if unit == "share" else self.labels("days", n=self.decimal(value))

    def status(self, status: str) -> str:
        return self.labels.status(status, self.min_cell)

    def explain(self, cell: Cell, target: TargetInForce | None, unit: str) -> str:
        """The cell's status in one sentence (and one more when the estimate is unreliable): what was compared
        with what, the interval of a sample estimate included."""
        key, words = f"why_{cell.status}", {"min_cell": self.min_cell}
        if cell.status == SUPPRESSED:
            key += f"_{cell.suppression_reason or SMALL_COUNT}"
        if cell.status in (MET, CANNOT_TELL, ON_TRACK, OFF_TRACK) and target is not None:
            words.update(value=self.amount(cell.value, unit), target=self.target(target, unit))
            interval = cell.ci_low is not None and cell.ci_high is not None
            if interval:
                words.update(low=self.amount(cell.ci_low, unit), high=self.amount(cell.ci_high, unit))
            if target.comparator == "minimise":
                key += "_minimise"
            elif cell.status == CANNOT_TELL:
                words.update(target_value=self.amount(target.value, unit))
            elif cell.status == MET or cell.status == OFF_TRACK and int(cell.period[:4]) >= target.year:
                key = ("why_met" if cell.status == MET else "why_not_met") + ("_interval" if interval else "")
        sentence = self.labels(key, **words)
        if cell.unreliable:
            successes, trials = cell.sample()
            cv = float(binomial_cv(successes, trials))
            key = "why_unreliable" if cell.effective_n is None else "why_unreliable_design"
            sentence += " " + self.labels(key, cv=self.percent(cv), n=self.integer(round(trials)))
        return sentence

    def value(self, cell: Cell, unit: str) -> str:
        """The cell's value, or what stands in its place, in words."""
        return self.amount(cell.value, unit) if cell.value is not None else self.status(cell.status)

    def fraction(self, cell: Cell) -> str:
        """``numerator / denominator`` as far as they are shown."""
        if cell.numerator is None:
            return ""
        if cell.denominator is None:
            return self.integer(cell.numerator)
        return f"{self.integer(cell.numerator)} / {self.integer(cell.denominator)}"

    def interval(self, cell: Cell) -> str:
        if cell.ci_low is None or cell.ci_high is None:
            return ""
        return f"{self.decimal(cell.ci_low * 100)}–{self.percent(cell.ci_high)}"

    def target(self, target: TargetInForce | None, unit: str) -> str:
        if target is None:
            return ""
        if target.comparator == "minimise" or target.value is None:
            return f"{self.labels('minimise')} ({target.year})"
        return f"{COMPARATOR_SIGNS[target.comparator]} {self.amount(target.value, unit)} ({target.year})"

    def gap(self, gap: float | None, unit: str) -> str:
        if gap is None:
            return ""
        sign = "+" if gap > 0 else "−" if gap < 0 else "±"
        if unit == "share":
            return f"{sign}{self.labels('points', n=self.decimal(abs(gap) * 100))}"
        return f"{sign}{self.labels('days', n=self.decimal(abs(gap)))}"

    def count(self, count: Count) -> str:
        return self.labels("suppressed") if count.suppressed else self.integer(count.value)

    def money(self, amount: int | None) -> str:
        if amount is None:
            return self.labels("suppressed")
        return self.labels("currency", n=self.integer(amount))
