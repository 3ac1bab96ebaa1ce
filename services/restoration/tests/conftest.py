"""Fixtures for the restoration tests: real images (skimage.data) and tiny model directories."""

from __future__ import annotations

import os

import numpy as np
import pytest
import skimage.data

os.environ.setdefault("RESTORATION_ORT_THREADS", "1")


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    return skimage.data.astronaut()


@pytest.fixture(scope="session")
def chelsea() -> np.ndarray:
    return skimage.data.chelsea()


@pytest.fixture(scope="session")
def coffee() -> np.ndarray:
    return skimage.data.coffee()


@pytest.fixture(scope="session")
def shipped_registry():
    from services.restoration.adapters.model_registry import ModelRegistry

    return ModelRegistry()
