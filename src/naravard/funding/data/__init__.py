"""Shipped agreements and keys (data files only)."""
