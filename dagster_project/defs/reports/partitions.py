"""Reports are partitioned by area and by year, both registered as data arrives (``sensors.py``): the years are
those the targets name and the indicators have, so any plan period (2016–2020 included) can be reported."""

import dagster as dg

report_areas = dg.DynamicPartitionsDefinition(name="report_area")
report_years = dg.DynamicPartitionsDefinition(name="report_year")
area_and_year = dg.MultiPartitionsDefinition({"area": report_areas, "year": report_years})
