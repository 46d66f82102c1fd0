"""Listening: due sources -> fetch -> parse, match and score -> store; health; watch queries."""
