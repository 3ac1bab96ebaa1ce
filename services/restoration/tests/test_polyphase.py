import cv2
import numpy as np
import pytest

from services.restoration.training.polyphase import polyphase_weights


@pytest.mark.parametrize("scale", [2, 4])
def test_polyphase_conv_equals_opencv_bicubic(astronaut, scale):
    lr = astronaut[..., 1].astype(np.float32)[100:164, 100:180]
    h, w = lr.shape
    padded = cv2.copyMakeBorder(lr, 2, 2, 2, 2, cv2.BORDER_REPLICATE)
    weights = polyphase_weights(scale)
    out = np.zeros((h * scale, w * scale), np.float32)
    for py in range(scale):
        for px in range(scale):
            phase = cv2.filter2D(padded, -1, weights[py * scale + px, 0])[2:-2, 2:-2]  # correlation, like Conv
            out[py::scale, px::scale] = phase
    reference = cv2.resize(lr, (w * scale, h * scale), interpolation=cv2.INTER_CUBIC)
    b = 3 * scale  # OpenCV's border handling differs; the interior must agree
    assert np.abs(out[b:-b, b:-b] - reference[b:-b, b:-b]).max() < 0.05
    assert weights.sum(axis=(1, 2, 3)) == pytest.approx(np.ones(scale * scale), abs=1e-6)
