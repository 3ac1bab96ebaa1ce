"""Clients for calling other services of the mesh."""
