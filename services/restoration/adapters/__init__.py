"""Adapters: onnxruntime model runners and registry, dlib face detection, OpenCV detectors."""
