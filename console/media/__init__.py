"""PyAV helpers: decode H.264/H.265/JPEG, write MP4 evidence clips."""
