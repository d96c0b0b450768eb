"""Data-quality checks of the workplace inspections, next to their assets."""

from dagster_project.table_checks import ages_plausible, classified, communes_valid, ids_unique, raw_accounted_for
from warehouse.classify.classify import YOUNG_WORKERS
from warehouse.clean.inspection import FORM_ID
from warehouse.schema.models import Inspection, YoungWorker

inspections_accounted_for = raw_accounted_for("inspections", FORM_ID, Inspection, "inspection")
inspections_ids_unique = ids_unique("inspections", Inspection.inspection_id)
inspections_communes_valid = communes_valid("inspections", Inspection.commune_code)
young_workers_ids_unique = ids_unique("young_workers", YoungWorker.worker_id)
young_workers_ages_plausible = ages_plausible("young_workers", YoungWorker.age, "young_worker_ages")
young_worker_classification_complete = classified("young_worker_classification", YOUNG_WORKERS, "young_workers",
                                                  "every_young_worker_classified")
