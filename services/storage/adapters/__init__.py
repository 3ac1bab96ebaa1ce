"""Adapters: persistence and other services."""
