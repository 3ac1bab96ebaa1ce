"""Facial domain: region contours (SVG / PNG / JSON) from 68 landmarks or a face-parsing map,
eye-level alignment and a perceptual result cache. Pure logic: numpy, OpenCV, Pillow; no I/O."""
