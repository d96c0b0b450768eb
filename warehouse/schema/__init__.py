"""What the warehouse is made of: its tables and their descriptions in both languages, the links the database does
not enforce, the administrative units its place columns hold, connecting and migrating (``migrations/``), and who
reads what."""
