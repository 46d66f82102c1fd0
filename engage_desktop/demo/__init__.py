"""The demo workspace: a deterministic, realistic synthetic brand."""
