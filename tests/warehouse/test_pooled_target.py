"""A pooled target: An Giang's one 70% for provincial/district and commune officials together (3.1ab), compared
with the pooled ratio, not split into two 70% targets."""

import pandas as pd
from sqlalchemy import insert

from tests.report import warehouse_state
from warehouse.indicators.indicators import load_settings, other_cells, reference_frames
from warehouse.schema.db import make_engine
from warehouse.schema.models import ActivityReach

TARGETS = pd.DataFrame([("3.1ab", "province", "20", "vn-2025-07", 2026, ">=", 0.7, "KH", None, None)], columns=[
    "indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version", "year", "comparator", "value",
    "source_document", "valid_from", "valid_to"])
POPULATIONS = pd.DataFrame([("province", "20", "vn-2025-07", 2026, "provincial_district_officials", 15),
                            ("province", "20", "vn-2025-07", 2026, "commune_officials", 20)],
                           columns=["area_level", "area_code", "code_list_version", "year", "population_group",
                                    "value"])


def test_the_pooled_ratio_is_compared_with_the_one_target(tmp_path):
    """Lạng Sơn (province 20), 2026: a training course in commune 05983 trained 15 new commune officials (the
    fixture) and, here, 6 new provincial/district officials. Populations: 15 provincial/district, 20 commune.
    3.1a = 6/15 = 40%, 3.1b = 15/20 = 75%; pooled 3.1ab = (6 + 15) / (15 + 20) = 21/35 = 60%, below the one 70%
    target in its own year: off_track, gap −10 points (split, 3.1b alone would have looked met)."""
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    warehouse_state.build(url).dispose()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(ActivityReach), [{"activity_id": "a2", "audience": "provincial_district_officials",
                                              "reached": 6, "reached_new": 6, "reached_new_trained": 6}])
    with engine.connect() as conn:
        areas = reference_frames(conn)[0]
        cells = other_cells(conn, load_settings(), areas, POPULATIONS, TARGETS)
    engine.dispose()
    province = cells[(cells.area_level == "province") & (cells.area_code == "20") & (cells.period == "2026")
                     & (cells.dimension == "total")].set_index("indicator_id")
    assert [tuple(province.loc[i, ["numerator", "denominator"]]) for i in ("3.1a", "3.1b", "3.1ab")] == [
        (6, 15), (15, 20), (21, 35)]
    pooled = province.loc["3.1ab"]
    assert pooled.value == 21 / 35 and pooled.target_value == 0.7 and pooled.status == "off_track"
    assert abs(pooled.gap - (0.6 - 0.7)) < 1e-12
    assert province.loc["3.1b", "status"] == "no_target"  # no split target left to meet on its own
