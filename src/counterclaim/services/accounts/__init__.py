"""Accounts: users, the authorization policy, and the audit history."""
