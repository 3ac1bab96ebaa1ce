"""Filename sanitisation: a client-supplied name made safe to store, show and send back.

Rules, in order: Unicode NFC; keep only the last path component (both `/` and `\\`); drop control
and invisible format characters (including bidi overrides); replace characters Windows forbids;
collapse whitespace; strip leading/trailing dots and spaces; dodge Windows device names; cap the
UTF-8 length (keeping the extension); fall back to `image<ext>` of the sniffed format when nothing
is left. A name without any extension gets the format's extension.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from .formats import ImageFormat

MAX_FILENAME_BYTES = 255
DEFAULT_STEM = "image"

_FORBIDDEN = re.compile(r'[<>:"|?*]')
_WHITESPACE = re.compile(r"\s+")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
)
_MAX_EXTENSION_CHARS = 16


def sanitize_filename(name: str | None, fmt: ImageFormat, max_bytes: int = MAX_FILENAME_BYTES) -> str:
    """A safe display/download filename for an image of format `fmt` (never empty)."""
    cleaned = _clean(name or "")
    if not cleaned:
        return DEFAULT_STEM + fmt.extension
    stem, ext = _split_extension(cleaned)
    if not ext:
        ext = fmt.extension
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    return _truncate_utf8(stem, max_bytes - len(ext.encode("utf-8"))) + ext


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    name = _FORBIDDEN.sub("_", name)
    name = _WHITESPACE.sub(" ", name)
    return name.strip(" .")


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > _MAX_EXTENSION_CHARS or " " in ext:
        return name, ""
    return stem.rstrip(" ."), "." + ext.lower()


def _truncate_utf8(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text or DEFAULT_STEM
    cut = encoded[: max(max_bytes, 1)].decode("utf-8", errors="ignore").rstrip(" .")
    return cut or DEFAULT_STEM


def content_disposition(filename: str) -> str:
    """An attachment Content-Disposition header naming `filename` (RFC 6266, UTF-8 aware)."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
