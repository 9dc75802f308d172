"""The shared vocabulary of TruckWatch (stdlib only)."""
