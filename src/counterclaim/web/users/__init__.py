"""Administering users: accounts, roles, passwords."""
