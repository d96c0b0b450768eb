"""Workplace inspections in an area's communes in a year: establishments inspected, found using child labour,
in violation, sanctioned and fined, and the young workers found.

"Found using child labour", "in violation" and "sanctioned" are counted by the facts of indicators 4.1a–c, so
the report and the indicators always agree. Counts of establishments identify no child: never suppressed
(``disclosure.toml``); the total of a few fines is (it would tell each one's amount). Young workers are children
(``warehouse.report.counts``): the child labourers among them are 1.1h's denominator.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from warehouse.classify.classification import VN_LAW
from warehouse.indicators.disclosure import load_policy
from warehouse.indicators.indicators import FACTS, IndicatorSettings
from warehouse.indicators.periods import Period
from warehouse.report.area import ReportArea
from warehouse.report.counts import Count, PublishedCounts, unheld
from warehouse.schema.models import Inspection, YoungWorker

FINDINGS = {"child_labour": "4.1a", "violation": "4.1b", "sanctioned": "4.1c"}


@dataclass(frozen=True)
class EstablishmentTypeFindings:
    code: str
    inspected: int
    child_labour: Count
    violation: Count
    sanctioned: Count


@dataclass(frozen=True)
class InspectionSummary:
    inspected: int
    child_labour: Count
    violation: Count
    sanctioned: Count
    fined: Count
    fines_total: int | None  # VND; None when the number fined is suppressed
    young_workers: Count
    young_child_labourers: Count  # vn_law
    by_establishment_type: tuple[EstablishmentTypeFindings, ...]


def summarise_inspections(engine: Engine, area: ReportArea, communes: list[str], period: Period,
                          settings: IndicatorSettings) -> InspectionSummary:
    findings = _findings_by_type(engine, communes, period, settings)
    i, yw = Inspection, YoungWorker
    in_area = (i.commune_code.in_(communes), period.in_period(i.year, i.quarter))
    fined_flag = and_(i.actions.is_not(None), i.actions.contains("fine"))
    with engine.connect() as conn:
        fined, fines = conn.execute(select(func.count(), func.coalesce(func.sum(i.fine_amount), 0))
                                    .where(*in_area, fined_flag)).one()
        workers = conn.execute(select(func.count()).select_from(yw).join(i, i.inspection_id == yw.inspection_id)
                               .where(*in_area)).scalar_one()
    protected = {name: PublishedCounts(engine, area, period, indicator_id, "inspections")
                 for name, indicator_id in FINDINGS.items()
                 if (indicator_id, "inspections") not in load_policy().not_protected}

    def finding(name: str, n: int, code: str | None = None) -> Count:
        """An establishments' count; from its published cell, should the policy ever protect it."""
        if name not in protected:
            return Count(n)
        cells = protected[name]
        return cells.total(0) if code is None else dict(cells.parts("establishment_type", (code,), 0))[code]

    return InspectionSummary(
        inspected=int(findings["inspected"].sum()),
        **{name: finding(name, int(findings[name].sum())) for name in FINDINGS},
        fined=Count(int(fined)),
        fines_total=None if fined < load_policy().summary_min_count else int(fines),
        young_workers=unheld(area, workers),
        young_child_labourers=PublishedCounts(engine, area, period, "1.1h", "inspections", VN_LAW).total(1),
        by_establishment_type=tuple(
            EstablishmentTypeFindings(row.establishment_type, int(row.inspected),
                                      *(finding(name, int(getattr(row, name)), row.establishment_type)
                                        for name in FINDINGS))
            for row in findings.sort_values(["inspected", "establishment_type"], ascending=[False, True])
            .itertuples(index=False)),
    )


def _findings_by_type(engine: Engine, communes: list[str], period: Period,
                      settings: IndicatorSettings) -> pd.DataFrame:
    """Per establishment type: inspected, and each finding's count, from the facts of indicators 4.1a–c."""
    columns = {}
    for name, indicator_id in FINDINGS.items():
        with engine.connect() as conn:
            facts = FACTS[(indicator_id, "inspections")](conn, settings)
        facts = facts[facts["commune_code"].isin(communes) & (facts["year"] == period.year)
                      & facts["quarter"].isin(period.quarters)]
        summed = facts.groupby("establishment_type")[["numerator", "denominator"]].sum()
        columns[name] = summed["numerator"]
        columns["inspected"] = summed["denominator"]
    frame = pd.DataFrame(columns, columns=["inspected", *FINDINGS]).fillna(0).astype(int)
    return frame.rename_axis("establishment_type").reset_index()
