"""models view."""
