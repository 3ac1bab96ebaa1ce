"""Durable file-system primitives: fsync a directory, create directories durably, write temp files."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Flush a directory entry change (create/rename/unlink) to disk."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs_durable(path: Path, stop_at: Path) -> None:
    """mkdir -p `path` (below `stop_at`), fsyncing each parent whose entries changed."""
    missing: list[Path] = []
    current = path
    while current != stop_at and not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            continue  # created concurrently: someone else fsyncs its parent
        fsync_dir(directory.parent)
