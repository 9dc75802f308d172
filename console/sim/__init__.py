"""The fleet simulator: virtual terminals speaking the real protocol over TCP."""
