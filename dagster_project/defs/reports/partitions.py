"""Reports are partitioned by area (registered as data arrives) and by year."""

import dagster as dg

FIRST_YEAR, LAST_YEAR = 2021, 2030  # Decision 782: 2021–2025, with orientation to 2030

report_areas = dg.DynamicPartitionsDefinition(name="report_area")
report_years = dg.StaticPartitionsDefinition([str(year) for year in range(FIRST_YEAR, LAST_YEAR + 1)])
area_and_year = dg.MultiPartitionsDefinition({"area": report_areas, "year": report_years})
