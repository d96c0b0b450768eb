"""Dagster definitions organised by domain: one subpackage per form family."""
