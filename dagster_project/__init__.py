"""Dagster wiring: resources, assets, checks, schedules. Thin: the work lives in ``warehouse`` and ``connectors``."""
