"""The HTTP API (FastAPI): one router per resource, gathered by ``app.create_app``."""
