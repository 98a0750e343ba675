"""Full-text search: the query language, the search itself and its snippets."""
