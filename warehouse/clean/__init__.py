"""Raw → clean: one cleaning engine for every form, each form's parser (typed rows or quarantine with a reason), the
answers forms share, pseudonymous ids."""
