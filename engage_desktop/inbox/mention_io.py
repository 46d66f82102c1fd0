"""Import and export of mention tables: one place to reach both directions.

The work is in :mod:`engage_desktop.inbox.mention_import` (CSV, JSON Lines, XLSX
and Parquet from other tools, with column auto-mapping) and
:mod:`engage_desktop.inbox.mention_export` (the same four formats, formula cells
made inert in CSV and XLSX).
"""

from __future__ import annotations

from engage_desktop.inbox.import_map import ColumnMap, auto_map, parse_map
from engage_desktop.inbox.import_read import ImportCancelled, TableFile
from engage_desktop.inbox.mention_export import COLUMNS, export_mentions, neutralize
from engage_desktop.inbox.mention_import import (
    IMPORT_CHANNEL,
    STATUSES,
    BadRow,
    ImportSummary,
    import_mentions,
    propose_mapping,
)

__all__ = [
    "COLUMNS", "IMPORT_CHANNEL", "STATUSES", "BadRow", "ColumnMap", "ImportCancelled",
    "ImportSummary", "TableFile", "auto_map", "export_mentions", "import_mentions",
    "neutralize", "parse_map", "propose_mapping",
]  # fmt: skip
