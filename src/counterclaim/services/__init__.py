"""Domain operations. Each takes the session it works in, flushes, and never commits."""
