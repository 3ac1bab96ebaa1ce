import time

from imagemesh_kit.cache import TtlCache


def test_entries_expire_and_the_oldest_are_evicted():
    cache = TtlCache(ttl_s=0.05, max_items=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)  # evicts b (a was used more recently)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    time.sleep(0.06)
    assert cache.get("a") is None
    cache.put("d", 4)
    cache.drop("d")
    assert cache.get("d") is None


def test_zero_ttl_disables_the_cache():
    cache = TtlCache(ttl_s=0)
    cache.put("a", 1)
    assert cache.get("a") is None
