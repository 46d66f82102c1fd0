"""Enrichment of stored mentions: sentiment, language, intents, priority, author profiles."""
