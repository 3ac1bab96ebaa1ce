"""Restoration domain: pure logic over numpy arrays (no gRPC, no SQL, no network, no onnxruntime).

Models and detectors are reached through the ports in `ports.py`; the adapters package implements them.
"""
