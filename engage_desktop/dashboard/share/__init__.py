"""Sharing with readers: the executive copy (copy.py) and reports (report_*.py).

Qt-free: the PDF painter is the one part that needs Qt and lives in
``engage_desktop.ui.share``.
"""
