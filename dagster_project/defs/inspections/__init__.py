"""Workplace inspections: raw submissions → inspections and young workers → classification → indicators 1.1h, 2.3, 3.2a, 4.1."""
