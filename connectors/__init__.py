"""Clients for the survey platforms (ODK Central, KoboToolbox) and export files.

Plain ``requests``; nothing here imports Dagster. Every source yields
:class:`connectors.records.SubmissionRecord` objects.
"""
