"""Sending each reply exactly once: the outbox, reply accounts, and the channels."""
