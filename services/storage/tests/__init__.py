"""Tests of the storage service domain and blob adapters."""
