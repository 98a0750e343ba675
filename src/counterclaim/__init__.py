"""Counterclaim: a claim-versus-counterclaim fact-tracking database."""
