import pytest

from services.gateway.domain.health import NOT_SERVING, SERVING, ServiceStatus, overall, parse_targets


def test_targets_parse_from_the_launcher_format():
    assert parse_targets("auth=127.0.0.1:1, storage = storage:2 ,") == {"auth": "127.0.0.1:1", "storage": "storage:2"}
    assert parse_targets("") == {}
    for bad in ("auth", "=x:1", "auth="):
        with pytest.raises(ValueError):
            parse_targets(bad)


def test_the_mesh_serves_only_when_every_service_serves():
    up = ServiceStatus("auth", SERVING, 1.0)
    assert overall([up, ServiceStatus("gateway", SERVING, 1.0)]) == SERVING
    assert overall([up, ServiceStatus("storage", "UNREACHABLE", 1000.0)]) == NOT_SERVING
    assert overall([]) == NOT_SERVING
