"""inbox view."""
