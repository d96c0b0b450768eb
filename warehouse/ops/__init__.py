"""Operations: back up and restore the warehouse, and re-key every pseudonymous id."""
