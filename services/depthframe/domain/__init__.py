"""depthframe domain: pure logic (numpy/OpenCV), no gRPC, no SQL."""
