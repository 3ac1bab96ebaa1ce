import pytest
from google.rpc import code_pb2, error_details_pb2

from imagemesh_kit.config import ConfigError, DatabaseSettings, load_settings
from imagemesh_kit.errors import InvalidArgument, NotFound
from imagemesh_kit.grpc_errors import to_status_proto
from imagemesh_kit.pagination import clamp_page_size, decode_page_token, encode_page_token


def test_domain_error_becomes_status_with_error_info_and_field_violations():
    err = InvalidArgument.for_field("email", "is not a valid email address", reason="EMAIL_INVALID")
    status = to_status_proto(err, "auth.imagemesh")
    assert status.code == code_pb2.INVALID_ARGUMENT
    assert status.message == "email: is not a valid email address"
    info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    assert status.details[0].Unpack(info) and info.reason == "EMAIL_INVALID" and info.domain == "auth.imagemesh"
    assert status.details[1].Unpack(bad) and bad.field_violations[0].field == "email"


def test_not_found_has_only_error_info():
    status = to_status_proto(NotFound("no such image", reason="IMAGE_NOT_FOUND"), "storage.imagemesh")
    assert status.code == code_pb2.NOT_FOUND and len(status.details) == 1


def test_config_errors_name_the_variable(monkeypatch):
    monkeypatch.setenv("IMAGEMESH_PORT", "not-a-port")
    monkeypatch.setenv("IMAGEMESH_DATABASE_SCHEMA", "Bad Schema!")
    with pytest.raises(ConfigError) as exc:
        load_settings(DatabaseSettings)
    text = str(exc.value)
    assert "IMAGEMESH_PORT" in text and "IMAGEMESH_DATABASE_SCHEMA" in text


def test_config_reads_environment(monkeypatch):
    monkeypatch.setenv("IMAGEMESH_PORT", "5000")
    monkeypatch.setenv("IMAGEMESH_LOG_LEVEL", "DEBUG")
    settings = load_settings(DatabaseSettings)
    assert settings.port == 5000 and settings.log_level == "DEBUG"
    assert settings.max_message_bytes == 32 * 1024 * 1024


def test_page_tokens_round_trip_and_reject_garbage():
    token = encode_page_token({"t": "2026-01-01T00:00:00+00:00", "id": "x"})
    assert decode_page_token(token, ("t", "id")) == {"t": "2026-01-01T00:00:00+00:00", "id": "x"}
    assert decode_page_token("") is None
    for bad in ("%%%", "bm90IGpzb24", encode_page_token({"other": 1})):
        with pytest.raises(InvalidArgument) as exc:
            decode_page_token(bad, ("t", "id"))
        assert exc.value.reason == "INVALID_PAGE_TOKEN"


def test_page_size_clamped():
    assert clamp_page_size(0) == 50 and clamp_page_size(7) == 7 and clamp_page_size(10_000) == 200
    with pytest.raises(InvalidArgument):
        clamp_page_size(-1)


def test_time_cursors_round_trip_and_reject_forgeries():
    from datetime import UTC, datetime

    from imagemesh_kit.pagination import decode_time_cursor, encode_time_cursor

    at = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    assert decode_time_cursor(encode_time_cursor(at, "abc")) == (at, "abc")
    assert decode_time_cursor("") is None
    for forged in (encode_page_token({"t": "not a time", "id": "x"}), encode_page_token({"t": at.isoformat()})):
        with pytest.raises(InvalidArgument) as exc:
            decode_time_cursor(forged)
        assert exc.value.reason == "INVALID_PAGE_TOKEN"
