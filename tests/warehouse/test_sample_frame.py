"""Survey sample frames: uploaded like the reference populations (validated whole, mistakes listed by row,
versioned by content), the demo's frame shipped, the form's sampling-unit list made from it, and each household's
round and unit read from the form."""

import csv

import pandas as pd
import pytest
from sqlalchemy import select

from connectors.demo import demo_communes, demo_sample_frame
from connectors.forms import FORMS_DIR
from warehouse.clean.household import _sampling_unit
from warehouse.clean.values import Problem
from warehouse.infra.versioned import REFERENCE_DIR
from warehouse.reference import reference_data as ref
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import ReferenceUpload, SampleFrameUnit

UNITS = load_admin_units()
DEMO = REFERENCE_DIR / "demo" / "sample_frame_demo.csv"


def demo_rows() -> list[dict]:
    return ref.validate_frame(ref.read_table(DEMO, ref.FRAME_COLUMNS), DEMO.name, UNITS)


def test_the_shipped_demo_frame_is_valid_and_made_by_the_demo_generator():
    rows = demo_rows()
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")
    urban = {c: UNITS.communes[c].urban_rural == "urban" for c, _, _ in communes}
    made = demo_sample_frame(communes, urban)
    assert pd.read_csv(DEMO, dtype=str, keep_default_na=False).to_dict("records") == made
    strata = {(r["round_id"], r["stratum"]) for r in rows if r["design"] == "sample"}
    assert ("DT2026", "01-urban") in strata and ("DT2026", "33-rural") in strata
    census = [r for r in rows if r["design"] == "census"]
    assert {r["commune_code"] for r in census} == {"30307"} and all(r["stratum"] == "30307" for r in census)


def test_the_form_choice_list_is_the_frame_s():
    with open(FORMS_DIR / "media" / "sampling_units.csv", encoding="utf-8", newline="") as f:
        assert list(csv.DictReader(f)) == ref.sampling_unit_choices(demo_rows())


def test_a_bad_frame_lists_every_problem_by_row(tmp_path):
    path = tmp_path / "frame.csv"
    pd.DataFrame([
        ["R1", "sample", "00004", "s1", "u1", "Thôn 1", "0.1", "", "100"],
        ["R1", "census", "00004", "s1", "u2", "Thôn 2", "", "", "100"],  # a second design in the round
        ["R1", "sample", "99999", "s2", "u3", "", "1.5", "", "1.000"],  # commune, name, probability, thousands
        ["R1", "sample", "00004", "s3", "u4", "Thôn 4", "", "", "100"],  # neither probability nor weight
        ["R1", "sample", "00004", "s3", "u4", "Thôn 4", "0.2", "", "100"],  # the same unit again
        ["R:2", "sample", "00004", "s4", "u5", "Thôn 5", "0.2", "12", "100"],  # round code; both given
    ], columns=ref.FRAME_COLUMNS).to_csv(path, index=False)
    with pytest.raises(ref.ReferenceDataError) as error:
        ref.validate_frame(ref.read_table(path, ref.FRAME_COLUMNS), path.name, UNITS)
    message = str(error.value)
    for expected in ["row 3: round 'R1' is a sample on row 2: a round has one design",
                     "row 4: commune '99999' is not in code list", "row 4: psu_name is required",
                     "row 4: psu_probability must be above 0 and at most 1",
                     "row 4: households_listed: value '1.000' has thousand separators",
                     "row 5: a sample unit needs psu_probability or household_weight",
                     "row 6: repeats row 5", "row 7: round_id must be",
                     "row 7: a sample unit needs psu_probability or household_weight",
                     "row 2: stratum 's1' of round 'R1' has one unit"]:
        assert expected in message
    assert message.startswith("frame.csv: nothing was loaded")


def test_frames_are_stored_whole_and_versioned_by_content(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    upgrade(engine)
    rows = demo_rows()
    ids, changed = ref.store_uploads(engine, "frames", {DEMO.name: rows})
    assert changed and ids[DEMO.name].startswith("frames:")
    assert ref.store_uploads(engine, "frames", {"renamed.csv": rows}) == ({"renamed.csv": ids[DEMO.name]}, False)
    with engine.connect() as conn:
        assert len(conn.execute(select(SampleFrameUnit)).all()) == len(rows)
        assert conn.execute(select(ReferenceUpload.kind)).scalars().all() == ["frames"]
    ref.store_uploads(engine, "frames", {})  # the file was removed: its units are withdrawn
    with engine.connect() as conn:
        assert conn.execute(select(SampleFrameUnit)).all() == []
    engine.dispose()


def test_the_household_s_round_and_unit_come_from_the_form():
    assert _sampling_unit("DT2026:00004-01") == {"survey_round": "DT2026", "psu_code": "00004-01"}
    assert _sampling_unit(None) == {"survey_round": None, "psu_code": None}  # no design
    with pytest.raises(Problem) as problem:
        _sampling_unit("00004-01")
    assert problem.value.code == "UNKNOWN_SAMPLING_UNIT"
