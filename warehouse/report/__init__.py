"""The progress report of a province or commune for a year (Vietnamese by default, English available).

``gather_report`` reads everything once from the warehouse into a ``ProgressReport``; ``write_workbook`` and
``write_html_page`` render that same data as an ``.xlsx`` workbook and a self-contained web page.
"""

from warehouse.report.area import ReportArea, areas_with_data, report_years
from warehouse.report.gather import ProgressReport, gather_report
from warehouse.report.html_page import render_html, write_html_page
from warehouse.report.workbook import build_workbook, write_workbook

__all__ = ["ProgressReport", "ReportArea", "areas_with_data", "build_workbook", "gather_report", "render_html",
           "report_years", "write_html_page", "write_workbook"]
