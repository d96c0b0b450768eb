"""Activity reports: raw submissions → activities and the people reached per audience group → indicators 2.x and 3.x."""
