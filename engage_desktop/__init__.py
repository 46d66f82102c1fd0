"""engage_desktop: an offline-first desktop workstation for customer engagement."""

__version__ = "0.1.0"
