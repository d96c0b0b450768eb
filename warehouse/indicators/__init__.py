"""Clean and classified → indicators: every catalogue indicator by area, period and disaggregation against its
target, design-based estimates, disclosure control, cut-offs and approvals."""
