"""Reports: their scope, queries, rigour sections, and what changed since a snapshot."""
