"""The warehouse, one package per stage in the order data flows (``docs/architecture.md``): infra, schema,
reference, raw, clean, classify, cases, indicators, quality, report, ops. A stage imports only earlier ones."""
