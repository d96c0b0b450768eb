"""``commune_registers``: each commune's open cases with the children's names, overdue first, one workbook and one
page per commune in a restricted folder (``CLMS_RESTRICTED_DIR``, default ``restricted/`` under the data folder:
``CLMS_DATA_DIR``, default the project's ``var/``), its owner's alone. The run's metadata counts communes and cases;
it names no child."""

from pathlib import Path

import dagster as dg
from pydantic import Field
from sqlalchemy import select

from dagster_project.messages import area, describe, labelled
from dagster_project.resources import WarehouseResource
from warehouse.cases.commune_register import commune_register_rows, write_commune_register, write_commune_register_page
from warehouse.infra.settings import Settings
from warehouse.schema.models import Case


class CommuneRegisterConfig(dg.Config):
    restricted_folder: str = Field(default="", description=(
        "Registers go to <restricted_folder>/commune_registers/<commune>.xlsx and .html (empty: CLMS_RESTRICTED_DIR,"
        " else restricted/ under the data folder: CLMS_DATA_DIR, default the project's var/, as set when the run"
        " starts); the folders are created for their owner alone."))


@dg.asset(group_name="cases", deps=["case_register"], kinds={"excel"}, description=describe("commune_registers"))
def commune_registers(config: CommuneRegisterConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    folder = Path(config.restricted_folder or Settings.from_environment().folders["restricted"]) / "commune_registers"
    c = Case
    with engine.connect() as conn:
        communes = conn.execute(select(c.commune_code).distinct().where(
            c.status != "closed", c.code_list_version == "vn-2025-07").order_by(c.commune_code)).scalars().all()
    cases = overdue = 0
    for commune in communes:
        rows = commune_register_rows(engine, commune)
        cases += write_commune_register(rows, folder / f"{commune}.xlsx")
        write_commune_register_page(rows, folder / f"{commune}.html",
                                    f"Sổ theo dõi trẻ em / Case register: {area('commune', commune, 'vn-2025-07')}")
        overdue += sum(r.overdue for r in rows)
    return dg.MaterializeResult(metadata=labelled({"communes": len(communes), "open_cases": cases,
                                                   "overdue_cases": overdue, "folder": str(folder)}))
