"""The platform's API client (REST, SSE, video); never imports Qt or the platform."""
