import platform

import pytest

from imagemesh_kit.memory import keep_large_buffers


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_keep_large_buffers_applies_on_glibc() -> None:
    assert keep_large_buffers() is True
