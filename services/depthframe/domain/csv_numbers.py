"""Vectorised parsing of CSV number fields straight from the file's bytes.

Fields are given as ``starts``/``ends`` offsets into a uint8 buffer. The fast path handles
plain decimals (``224``, ``-3``, ``9000.1``, ``224.0``) for all fields at once, one character
position at a time (a handful of numpy passes, no Python loop over fields). Anything else
(``2.24e2``, ``+5``, `` 7 ``, ``nan``, text) goes to a per-field fallback using Python's
``float()``; in normal files that fallback sees no field at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Longest field the fast path reads; longer ones use the fallback (keeps mantissas < 2**53).
FAST_MAX_WIDTH = 15

_DIGIT_0 = 48
_DOT = 46
_MINUS = 45


@dataclass(frozen=True)
class ParsedNumbers:
    """values: float64 (NaN where missing or bad); missing: empty/NaN field; bad: not a number."""

    values: np.ndarray
    missing: np.ndarray
    bad: np.ndarray


def parse_number_fields(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> ParsedNumbers:
    """Parse the fields ``buf[starts[i]:ends[i]]`` as numbers (see module doc)."""
    count = starts.size
    lengths = ends - starts
    missing = lengths == 0
    if count == 0:
        empty = np.zeros(0, dtype=bool)
        return ParsedNumbers(np.zeros(0), empty, empty)
    width = min(int(lengths.max()), FAST_MAX_WIDTH)
    mantissa = np.zeros(count, dtype=np.int64)
    fraction_digits = np.zeros(count, dtype=np.int64)
    digits = np.zeros(count, dtype=np.int64)
    seen_dot = np.zeros(count, dtype=bool)
    ok = lengths <= FAST_MAX_WIDTH
    negative = np.zeros(count, dtype=bool)
    last = buf.size - 1
    for position in range(width):
        active = lengths > position
        char = buf[np.minimum(starts + position, last)]
        digit = char - np.uint8(_DIGIT_0)  # wraps for chars below '0'
        is_digit = (digit < 10) & active
        is_dot = (char == _DOT) & active
        accepted = is_digit | (is_dot & ~seen_dot)
        if position == 0:
            negative = (char == _MINUS) & active
            accepted |= negative
        ok &= accepted | ~active
        np.multiply(mantissa, 10, out=mantissa, where=is_digit)
        np.add(mantissa, digit, out=mantissa, where=is_digit)
        fraction_digits += is_digit & seen_dot
        digits += is_digit
        seen_dot |= is_dot
    ok &= digits > 0
    values = mantissa / np.power(10.0, fraction_digits)
    np.negative(values, out=values, where=negative)
    bad = ~ok & ~missing
    values[~ok] = np.nan
    if bad.any():
        _fallback(buf, starts, ends, np.flatnonzero(bad), values, missing, bad)
    return ParsedNumbers(values, missing, bad)


def _fallback(
    buf: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    indices: np.ndarray,
    values: np.ndarray,
    missing: np.ndarray,
    bad: np.ndarray,
) -> None:
    """Per-field parse with float() for fields the fast path did not accept (updates in place)."""
    for index in indices.tolist():
        text = buf[starts[index] : ends[index]].tobytes().decode("utf-8", errors="replace").strip()
        if not text:
            missing[index], bad[index] = True, False
            continue
        try:
            value = float(text)
        except ValueError:
            continue
        bad[index] = False
        if np.isnan(value):
            missing[index] = True
        else:
            values[index] = value


def parse_small_uint_fields(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fast path for pixel fields: plain 1-3 digit integers (``0``..``999``).

    Returns ``(values uint16, ok bool)``; fields with ``ok`` False (empty, longer, signs, dots, text)
    must be parsed with :func:`parse_number_fields`.
    """
    lengths = ends - starts
    zero = np.uint8(_DIGIT_0)
    if starts.size == 0:
        return np.zeros(0, dtype=np.uint16), np.zeros(0, dtype=bool)
    if int(starts.max()) + 2 >= buf.size:  # rare: a short field at the very end of the buffer
        buf = np.concatenate((buf, np.zeros(3, dtype=np.uint8)))
    d0 = buf[starts] - zero
    d1 = buf[starts + 1] - zero
    d2 = buf[starts + 2] - zero
    one, two, three = lengths == 1, lengths == 2, lengths == 3
    ok = (d0 < 10) & (one | ((d1 < 10) & (two | ((d2 < 10) & three))))
    values = d0.astype(np.uint16)
    two_or_more = two | three
    np.multiply(values, 10, out=values, where=two_or_more)
    np.add(values, d1, out=values, where=two_or_more)
    np.multiply(values, 10, out=values, where=three)
    np.add(values, d2, out=values, where=three)
    return values, ok
