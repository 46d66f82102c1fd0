"""Widgets and renderers shared by more than one stage of the window."""
