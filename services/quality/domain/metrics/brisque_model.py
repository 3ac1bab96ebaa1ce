"""The BRISQUE regression model, read as data from the installed `brisque` package (0.2.0).

The package ships ``models/svm.txt`` (a LIBSVM epsilon-SVR with an RBF kernel, trained on LIVE)
and ``models/normalize.pickle`` (per-feature min/max used to scale features to [-1, 1]).  We only
locate the files with importlib and parse them ourselves; the package's code is never run.
The pickle is read with an unpickler that accepts plain containers only.
"""

from __future__ import annotations

import functools
import io
import pickle
from dataclasses import dataclass
from importlib import resources

import numpy as np

from imagemesh_kit.errors import FailedPrecondition

N_FEATURES = 36


@dataclass(frozen=True, eq=False)
class SvrModel:
    """f(x) = sum_i coef_i * exp(-gamma * |x - sv_i|^2) - rho, on features scaled to [-1, 1]."""

    gamma: float
    rho: float
    coefs: np.ndarray  # (n_sv,)
    support_vectors: np.ndarray  # (n_sv, N_FEATURES)
    feature_min: np.ndarray  # (N_FEATURES,)
    feature_max: np.ndarray  # (N_FEATURES,)

    def predict(self, features: np.ndarray) -> float:
        f = np.asarray(features, dtype=np.float64)
        scaled = -1.0 + 2.0 * (f - self.feature_min) / (self.feature_max - self.feature_min)
        d2 = np.sum((self.support_vectors - scaled) ** 2, axis=1)
        return float(self.coefs @ np.exp(-self.gamma * d2) - self.rho)


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def parse_libsvm_model(text: str) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Parse an RBF epsilon-SVR LIBSVM model file -> (gamma, rho, coefs, support_vectors)."""
    header: dict[str, str] = {}
    lines = text.splitlines()
    start = 0
    for i, line in enumerate(lines):
        if line.strip() == "SV":
            start = i + 1
            break
        key, _, value = line.partition(" ")
        header[key] = value.strip()
    if header.get("svm_type") != "epsilon_svr" or header.get("kernel_type") != "rbf":
        raise ValueError("expected an RBF epsilon-SVR model")
    coefs, rows = [], []
    for line in lines[start:]:
        parts = line.split()
        if not parts:
            continue
        coefs.append(float(parts[0]))
        row = np.zeros(N_FEATURES)
        for item in parts[1:]:
            idx, val = item.split(":")
            row[int(idx) - 1] = float(val)
        rows.append(row)
    return float(header["gamma"]), float(header["rho"]), np.array(coefs), np.array(rows)


@functools.cache
def load_brisque_model() -> SvrModel:
    """Load (once) the model shipped by the installed `brisque` package."""
    try:
        root = resources.files("brisque") / "models"
        svm_text = (root / "svm.txt").read_text()
        scale = _PlainUnpickler(io.BytesIO((root / "normalize.pickle").read_bytes())).load()
    except (ModuleNotFoundError, FileNotFoundError, pickle.UnpicklingError) as exc:
        raise FailedPrecondition("The BRISQUE model data is not installed.", reason="QUALITY_MODEL_MISSING") from exc
    gamma, rho, coefs, svs = parse_libsvm_model(svm_text)
    return SvrModel(
        gamma=gamma,
        rho=rho,
        coefs=coefs,
        support_vectors=svs,
        feature_min=np.asarray(scale["min_"], dtype=np.float64),
        feature_max=np.asarray(scale["max_"], dtype=np.float64),
    )
