"""dashboard view."""
