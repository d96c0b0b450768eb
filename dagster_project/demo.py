"""The main job on the embedded SQLite warehouse with the bundled demo data: ``python -m dagster_project.demo``.

Creates ``.env`` with a fresh local pseudonym key when there is none (``dagster dev`` reads the same file),
runs the household-survey job into a persistent Dagster instance under ``var/dagster_home`` so the run
shows in the UI, and prints where the results are.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_FILE = Path(".env")
DAGSTER_HOME = Path("var") / "dagster_home"


def ensure_env_file() -> None:
    """Write a local ``.env`` with a random pseudonym key and the demo source, unless one exists."""
    if not ENV_FILE.exists():
        ENV_FILE.write_text(
            "# Local settings, read by `make demo` and `dagster dev`. Never commit this file.\n"
            f"CLMS_PSEUDONYM_KEY={secrets.token_hex(32)}\n"
            "CLMS_SOURCE=demo\n",
            encoding="utf-8",
        )
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


def main() -> None:
    ensure_env_file()
    DAGSTER_HOME.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(DAGSTER_HOME.resolve())

    from dagster import DagsterInstance
    from sqlalchemy import select

    from dagster_project.definitions import defs
    from warehouse.db import default_url, make_engine
    from warehouse.models import IndicatorValue as iv

    result = defs.resolve_job_def("household_survey_job").execute_in_process(
        instance=DagsterInstance.get(), run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    if not result.success:
        raise SystemExit("the household survey job failed: see the log above")
    for event in result.get_asset_check_evaluations():
        print(f"check {event.check_name}: {'passed' if event.passed else 'FAILED'}")

    engine = make_engine()
    with engine.connect() as conn:
        rows = conn.execute(
            select(iv.indicator_id, iv.area_code, iv.period, iv.numerator, iv.denominator, iv.value,
                   iv.ci_low, iv.ci_high, iv.suppressed)
            .where(iv.rule_set == "vn_law", iv.period_type == "year", iv.dimension == "total",
                   iv.area_level.in_(["national", "province"]))
            .order_by(iv.indicator_id, iv.period, iv.area_level.desc(), iv.area_code)
        ).all()
    print("\nIndicators (vn_law, by year, national and province):")
    print(f"{'indicator':<10}{'area':<6}{'period':<8}{'num':>6}{'den':>7}{'value':>9}  95% interval")
    for r in rows:
        shown = "suppressed" if r.suppressed else (
            f"{r.value:8.2%}  {r.ci_low:.2%}–{r.ci_high:.2%}" if r.value is not None else "no data")
        print(f"{r.indicator_id:<10}{r.area_code:<6}{r.period:<8}{r.numerator or '':>6}{r.denominator or '':>7} {shown}")
    print(f"\nWarehouse: {default_url()}")
    print("Analyst tables: household, child, child_classification, indicator_value "
          "(restricted: restricted_household_pii, restricted_child_pii, quarantine, raw_submission).")
    print(f"Open the Dagster UI:  DAGSTER_HOME={DAGSTER_HOME.resolve()} .venv/bin/dagster dev "
          "-m dagster_project.definitions   (then http://127.0.0.1:3000)")


if __name__ == "__main__":
    main()
