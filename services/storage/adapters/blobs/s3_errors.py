"""Translating botocore failures into domain errors with public-safe messages."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from imagemesh_kit.errors import DomainError, Unavailable

from .base import BLOB_STORE_UNAVAILABLE

log = logging.getLogger(__name__)
MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchUpload"})


def error_code(exc: BaseException) -> str:
    """The S3 error code of a botocore ClientError ('' for anything else)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_missing(exc: BaseException) -> bool:
    return error_code(exc) in MISSING_CODES


@contextlib.contextmanager
def translate_s3_errors(operation: str) -> Iterator[None]:
    """Re-raise any botocore failure (network, throttling, access) as Unavailable; domain errors
    and 'missing' answers are left for the caller to handle."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except DomainError:
        raise
    except ClientError as exc:
        if is_missing(exc):
            raise
        log.warning("S3 %s failed: %s", operation, exc)
        raise Unavailable("the blob store is unavailable", reason=BLOB_STORE_UNAVAILABLE) from exc
    except BotoCoreError as exc:
        log.warning("S3 %s failed: %s", operation, exc)
        raise Unavailable("the blob store is unavailable", reason=BLOB_STORE_UNAVAILABLE) from exc
