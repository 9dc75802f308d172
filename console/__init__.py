"""TruckWatch: monitoring console for heavy-truck active safety."""

__version__ = "0.1.0"
