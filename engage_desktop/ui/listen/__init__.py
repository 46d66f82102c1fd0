"""feeds view."""
