"""Fake servers on 127.0.0.1 that speak the reply endpoints like the real ones."""
