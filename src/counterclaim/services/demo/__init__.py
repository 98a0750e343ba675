"""Demo data: the YAML seed and synthetic data at scale."""
