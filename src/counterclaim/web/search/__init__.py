"""The search area: full-text search over everything, and similar-claim suggestions."""
