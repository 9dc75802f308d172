"""The headless platform (gateway, ingest, store, API). Never imports Qt."""
