"""The outbox tab and the accounts dialog."""
