"""Claims and what hangs on them: links, evidence, notes, edits and merges, consensus,
facets and outcomes (the claims list's facets use consensus, so they live together)."""
