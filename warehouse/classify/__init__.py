"""Clean → classified: the classification rules, and the step that classifies every subject with no classification
under the current rules."""
