"""composer view."""
