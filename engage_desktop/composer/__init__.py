"""Writing replies: drafts and approval, saved replies, channel routes and limits, tone."""
