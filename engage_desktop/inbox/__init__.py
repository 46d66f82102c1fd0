"""The inbox: paging, filters, saved views, people and threads, triage, import and export."""
