"""The Dagster code location: every definition under ``defs``, bound to resources from the environment.

Environment:
- ``CLMS_PSEUDONYM_KEY`` (required): secret key of the pseudonymous ids.
- ``CLMS_WAREHOUSE_URL``: SQLAlchemy URL; default the embedded SQLite file ``var/warehouse.sqlite``.
- ``CLMS_SOURCE``: ``demo`` (default) or ``odk_central``; for ODK Central also ``ODK_CENTRAL_URL``,
  ``ODK_CENTRAL_EMAIL``, ``ODK_CENTRAL_PASSWORD``, ``ODK_CENTRAL_PROJECT_ID``.
"""

from __future__ import annotations

import os
import warnings

import dagster as dg

from dagster_project import defs as defs_package
from dagster_project.resources import WarehouseResource
from dagster_project.sources import DemoSource, OdkCentralSource, SubmissionSource
from warehouse.db import default_url


def warehouse_from_env() -> WarehouseResource:
    url = dg.EnvVar("CLMS_WAREHOUSE_URL") if os.environ.get("CLMS_WAREHOUSE_URL") else default_url()
    return WarehouseResource(url=url, pseudonym_key=dg.EnvVar("CLMS_PSEUDONYM_KEY"))


def source_from_env() -> SubmissionSource:
    kind = os.environ.get("CLMS_SOURCE", "demo")
    if kind == "demo":
        return DemoSource()
    if kind == "odk_central":
        return OdkCentralSource(
            base_url=dg.EnvVar("ODK_CENTRAL_URL"),
            email=dg.EnvVar("ODK_CENTRAL_EMAIL"),
            password=dg.EnvVar("ODK_CENTRAL_PASSWORD"),
            project_id=dg.EnvVar.int("ODK_CENTRAL_PROJECT_ID"),
        )
    raise ValueError(f"CLMS_SOURCE={kind!r}: expected 'demo' or 'odk_central'")


def build_definitions(warehouse: WarehouseResource, household_source: SubmissionSource) -> dg.Definitions:
    """Everything under ``defs`` (assets, checks, jobs, schedules), bound to these resources."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # the loader is marked preview in Dagster 1.13
        return dg.load_definitions_from_package_module(
            defs_package, resources={"warehouse": warehouse, "household_source": household_source}
        )


defs = build_definitions(warehouse_from_env(), source_from_env())
