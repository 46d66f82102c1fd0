"""Sharing in the window: the executive copy, reports, and reading a shared copy."""
