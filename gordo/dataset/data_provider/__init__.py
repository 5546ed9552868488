"""Data providers: where a dataset's raw series come from (see docs/data-providers.md)."""
