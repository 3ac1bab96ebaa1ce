"""The in-process render cache: LRU by entries and bytes, per-dataset eviction, range slices of a FrameSet."""

from __future__ import annotations

from services.depthframe.domain import Frame, depth_range
from services.depthframe.render_cache import FrameSet, RenderCache


def test_lru_by_entries_and_bytes():
    cache = RenderCache(max_entries=2, max_bytes=100)
    cache.put(("image", "a"), b"1", 10)
    cache.put(("image", "b"), b"2", 10)
    assert cache.get(("image", "a")) == b"1"  # a is now the most recent
    cache.put(("image", "c"), b"3", 10)
    assert cache.get(("image", "b")) is None and len(cache) == 2
    cache.put(("image", "d"), b"4", 45)
    cache.put(("image", "e"), b"5", 45)  # 10 + 45 + 45 > 100: the oldest goes
    assert cache.get(("image", "c")) is None and cache.get(("image", "e")) == b"5"
    cache.put(("image", "huge"), b"x", 51)  # more than half the budget: not kept
    assert cache.get(("image", "huge")) is None


def test_forget_drops_every_entry_of_a_dataset_and_zero_disables():
    cache = RenderCache(max_entries=10)
    cache.put(("frames", "ds1", "gray"), [], 1)
    cache.put(("image", "ds1", "gray"), b"", 1)
    cache.put(("image", "ds2", "gray"), b"", 1)
    cache.forget("ds1")
    assert len(cache) == 1 and cache.get(("image", "ds2", "gray")) == b""
    off = RenderCache(max_entries=0)
    off.put(("image", "a"), b"1", 1)
    assert off.get(("image", "a")) is None


def test_frame_set_slices_inclusive_ranges_by_key():
    frames = [Frame(depth=9000.0 + i / 10, width=1, height=1, png=bytes([i])) for i in range(1, 11)]
    whole = FrameSet.of(frames)
    assert [f.png[0] for f in whole.select(depth_range(9000.2, 9000.4))] == [2, 3, 4]
    assert [f.png[0] for f in whole.select(depth_range(9000.0 + 0.1 * 3, None))] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert whole.select(depth_range(None, None)) == frames
    assert whole.select(depth_range(9000.25, 9000.29)) == []
    assert whole.select(depth_range(1.0, 2.0)) == [] and whole.select(depth_range(9999.0, None)) == []
