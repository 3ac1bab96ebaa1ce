"""Tests of the depthframe service."""
