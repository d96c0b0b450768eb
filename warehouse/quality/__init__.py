"""Quality before approval: the household survey's data-quality checks and workbook, and the completeness and
timeliness of reporting."""
