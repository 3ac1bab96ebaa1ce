"""Filename sanitisation."""

from __future__ import annotations

import unicodedata

import pytest

from services.storage.domain.filenames import MAX_FILENAME_BYTES, sanitize_filename
from services.storage.domain.formats import ImageFormat


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cat.png", "cat.png"),
        ("../../etc/passwd", "passwd.jpg"),
        ("C:\\Users\\me\\Desktop\\holiday.JPG", "holiday.jpg"),
        ("dir/", "image.jpg"),
        ("a\x00b\x1fc\x7f.png", "abc.png"),
        ("evil\u202egnp.exe", "evilgnp.exe"),  # bidi override dropped
        ("zero\u200bwidth.png", "zerowidth.png"),
        ("  spaced   \t out .png ", "spaced out.png"),
        ("...hidden", "hidden.jpg"),
        ("trailing dots...", "trailing dots.jpg"),
        ('what?<is>:"this"|*.png', "what__is___this___.png"),
        ("CON.png", "_CON.png"),
        ("lpt1", "_lpt1.jpg"),
        ("noext", "noext.jpg"),
        ("photo.tar.gz", "photo.tar.gz"),
        ("", "image.jpg"),
        (None, "image.jpg"),
        ("\x00\x01  ..", "image.jpg"),
        ("/", "image.jpg"),
    ],
)
def test_known_answers(raw: str | None, expected: str) -> None:
    assert sanitize_filename(raw, ImageFormat.JPEG) == expected


def test_default_follows_the_sniffed_format() -> None:
    assert sanitize_filename("", ImageFormat.WEBP) == "image.webp"
    assert sanitize_filename(None, ImageFormat.TIFF) == "image.tiff"


def test_unicode_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301.png"
    cleaned = sanitize_filename(decomposed, ImageFormat.PNG)
    assert cleaned == "Caf\u00e9.png" and unicodedata.is_normalized("NFC", cleaned)


def test_length_is_capped_in_utf8_bytes_keeping_the_extension() -> None:
    cleaned = sanitize_filename("\u732b" * 300 + ".png", ImageFormat.PNG)  # 3 bytes per char
    assert cleaned.endswith(".png")
    assert len(cleaned.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert cleaned[:-4] == "\u732b" * ((MAX_FILENAME_BYTES - 4) // 3)  # no broken character
    assert len(sanitize_filename("x" * 1000, ImageFormat.GIF, max_bytes=40)) == 40


def test_never_contains_separators_or_controls() -> None:
    controls = "".join(chr(c) for c in range(0x20)) + "\x7f\x85\u2028\u2029\ufeff\u2066"
    assert sanitize_filename(f"na{controls}me.png", ImageFormat.PNG) == "name.png"
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    cleaned = sanitize_filename(printable, ImageFormat.PNG)
    assert cleaned == "]^_`abcdefghijklmnopqrstuvwxyz{_}~.png"  # after the last backslash
