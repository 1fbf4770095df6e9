"""Accounts: roles, permissions and the one policy that decides who may do what."""
