"""The kit's small C kernels: compiled into one shared library by `python -m imagemesh_kit.native` (run by
`make setup` and the Docker build), loaded with ctypes (which releases the GIL for each call).

Only the C compiler and libc are needed to build (no Python headers, no build backend). Code that uses a kernel
must keep working without the library - a machine without a compiler, a checkout not set up yet - by taking
its pure-Python/OpenCV path: `load()` answers None then, and says so once in the log.

Kernels: png_unfilter.c (PNG scanline unfiltering, used by imagemesh_kit.png_read); huffman_deflate.c
(Huffman-only deflate, used by imagemesh_kit.png's writer); used by the quality service: nss_moments.c (the
moment sums of BRISQUE's and NIQE's AGGD fits), noise_sums.c (the noise estimate over equally sized tiles),
unit_rgb.c (8-bit RGB -> float RGB, luma and their samples in one pass, and float -> 8-bit), ycc_steps.c (the
per-pixel passes of denoising and sharpening), bilateral.c (denoising's bilateral filter), ssim_terms.c (SSIM's
windows and map summed in one pass), opponent_moments.c (colourfulness's sums), area_resize.c (area-averaging
downscale), mscn.c (BRISQUE's and NIQE's MSCN coefficients in one pass, in double precision) and log_sums.c (the
sums behind sharpness: blur, Laplacian and sums in one pass per tile).
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
KERNELS = (
    "png_unfilter.c",
    "huffman_deflate.c",
    "nss_moments.c",
    "noise_sums.c",
    "unit_rgb.c",
    "ycc_steps.c",
    "ssim_terms.c",
    "area_resize.c",
    "bilateral.c",
    "opponent_moments.c",
    "mscn.c",
    "log_sums.c",
)
SOURCES = tuple(HERE / name for name in KERNELS)
LIBRARY = HERE / f"_imagemesh_native{sysconfig.get_config_var('SHLIB_SUFFIX') or '.so'}"
# Portable code: no -march=native, so a library built in an image runs on any machine of the architecture
# (SSE2, which the unfilter uses, is part of every x86-64).
# (No -Werror: a newer compiler's new warning must not cost a machine its kernels.)
# -fno-math-errno: no kernel reads errno, and without it sqrtf cannot vectorise (mscn.c).
CFLAGS = ("-O3", "-std=c99", "-fPIC", "-shared", "-Wall", "-Wextra", "-fno-math-errno")
LIBS = ("-lm",)  # floor/ceil (the kernels' only library calls besides malloc)

_lock = threading.Lock()
_loaded: ctypes.CDLL | None = None
_tried = False


def compiler() -> str | None:
    """The C compiler to use: $CC, else cc / gcc / clang on PATH."""
    for candidate in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if candidate and shutil.which(candidate.split()[0]):
            return candidate
    return None


def build(output: Path = LIBRARY) -> Path:
    """Compile SOURCES into `output` (written beside and renamed into place, so a running process never
    loads half a file). Raises RuntimeError with the compiler's message when it fails."""
    cc = compiler()
    if cc is None:
        raise RuntimeError("no C compiler found (set CC, or install cc/gcc/clang)")
    fd, tmp = tempfile.mkstemp(prefix=output.name, suffix=".tmp", dir=output.parent)
    os.close(fd)
    try:
        done = subprocess.run(
            [*cc.split(), *CFLAGS, "-o", tmp, *map(str, SOURCES), *LIBS], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{cc} failed:\n{done.stderr.strip()}")
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return output


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    size = ctypes.c_size_t
    lib.png_unfilter.argtypes = [ctypes.c_void_p, ctypes.c_void_p, size, size, size]
    lib.png_unfilter.restype = ctypes.c_int
    lib.huffman_deflate_bound.argtypes = [size]
    lib.huffman_deflate_bound.restype = size
    lib.huffman_deflate.argtypes = [ctypes.c_void_p, size, ctypes.c_int, ctypes.c_void_p, size]
    lib.huffman_deflate.restype = size
    lib.rgb8_to_unit.argtypes = [ctypes.c_void_p, *[size] * 4, *[ctypes.c_void_p] * 5]
    lib.rgb8_to_unit.restype = None
    lib.unit_to_u8.argtypes = [ctypes.c_void_p, size, ctypes.c_void_p]
    lib.unit_to_u8.restype = None
    lib.ycc_denoise_split.argtypes = [ctypes.c_void_p, size, size, *[ctypes.c_void_p] * 3]
    lib.ycc_denoise_split.restype = None
    lib.ycc_denoise_merge.argtypes = [*[ctypes.c_void_p] * 4, size, size, ctypes.c_float, *[ctypes.c_void_p] * 2]
    lib.ycc_denoise_merge.restype = None
    lib.ycc_sharpen.argtypes = [ctypes.c_void_p, ctypes.c_void_p, size, *[ctypes.c_float] * 4, ctypes.c_void_p]
    lib.ycc_sharpen.restype = None
    lib.ssim_window_sum.argtypes = [ctypes.c_void_p, size, ctypes.c_void_p, size, size, size, size, ctypes.c_void_p]
    lib.ssim_window_sum.argtypes += [size, *[ctypes.c_float] * 3]
    lib.ssim_window_sum.restype = ctypes.c_double
    lib.area_resize.argtypes = [ctypes.c_void_p, size, size, size, ctypes.c_void_p, size, size]
    lib.area_resize.restype = ctypes.c_int
    lib.nss_block_moments.argtypes = [ctypes.c_void_p, *[size] * 8, ctypes.c_void_p]
    lib.nss_block_moments.restype = None
    lib.noise_tile_sums.argtypes = [ctypes.c_void_p, ctypes.c_void_p, *[size] * 7, ctypes.c_double]
    lib.noise_tile_sums.argtypes += [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.noise_tile_sums.restype = size
    lib.bilateral_f32.argtypes = [ctypes.c_void_p, size, size, size, ctypes.c_void_p, size, ctypes.c_int]
    lib.bilateral_f32.argtypes += [ctypes.c_double, ctypes.c_double]
    lib.bilateral_f32.restype = ctypes.c_int
    lib.opponent_moments.argtypes = [ctypes.c_void_p, size, ctypes.c_void_p]
    lib.opponent_moments.restype = None
    lib.mscn_f32.argtypes = [ctypes.c_void_p, size, size, size, ctypes.c_void_p, size, ctypes.c_int, ctypes.c_double]
    lib.mscn_f32.argtypes += [ctypes.c_void_p, ctypes.c_void_p]
    lib.mscn_f32.restype = ctypes.c_int
    lib.log_tile_sums.argtypes = [ctypes.c_void_p, *[size] * 5, ctypes.c_void_p, size, ctypes.c_void_p]
    lib.log_tile_sums.restype = ctypes.c_int
    return lib


def load() -> ctypes.CDLL | None:
    """The library with its functions declared, or None when it is not built (logged once)."""
    global _loaded, _tried
    with _lock:
        if not _tried:
            _tried = True
            try:
                _loaded = _declare(ctypes.CDLL(str(LIBRARY)))
            except (OSError, AttributeError) as exc:  # not built, or built from older sources (a kernel missing)
                log.warning("native kernels not available (%s); run `make setup` to build them", exc)
        return _loaded


def main() -> int:
    try:
        path = build()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"built {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


__all__ = ["LIBRARY", "SOURCES", "build", "compiler", "load"]
