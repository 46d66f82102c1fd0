"""sentiment package."""
