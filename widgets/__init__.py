"""All Qt widgets of the console. Never imports console.platform."""
