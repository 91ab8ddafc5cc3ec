"""Accounts, passwords, TOTP, recovery codes, activation, sessions, roles and permissions."""
