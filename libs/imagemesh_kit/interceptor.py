"""The one server interceptor every service runs.

Per call, in order: take (or make) the request id; authenticate according to the method's policy
(see imagemesh_kit.auth.policy) and put the Principal in context; run the handler; turn a
DomainError into a gRPC status with rich details and anything unexpected into INTERNAL without
internals on the wire; write one JSON access-log line.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import grpc

from imagemesh_kit.auth.policy import Access, access_for
from imagemesh_kit.auth.verifier import TokenVerifier, token_from_metadata
from imagemesh_kit.context import ON_BEHALF_OF_HEADER, new_request_id, on_behalf_of, principal_var, request_id_var
from imagemesh_kit.errors import DomainError, Unauthenticated
from imagemesh_kit.grpc_errors import internal_status, to_grpc_status

log = logging.getLogger("imagemesh.access")


class MeshInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, *, domain: str, verifier: TokenVerifier | None, access_log: bool = True) -> None:
        self._domain = domain
        self._verifier = verifier
        self._access_log = access_log

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        access = access_for(method)
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(handler.unary_unary, method, access),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                self._wrap_unary(handler.stream_unary, method, access),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(handler.unary_stream, method, access),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return grpc.stream_stream_rpc_method_handler(
            self._wrap_stream(handler.stream_stream, method, access),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    # -- wrappers ---------------------------------------------------------------------------

    def _wrap_unary(self, behavior: Callable, method: str, access: Access):
        async def wrapped(request_or_iterator, context: grpc.aio.ServicerContext):
            start = time.perf_counter()
            tokens = self._bind_request_id(context)
            code = "OK"
            try:
                await self._authenticate(context, access)
                return await behavior(request_or_iterator, context)
            except BaseException as exc:
                code = _code_name(exc, context)
                await self._handle(exc, context, method)
            finally:
                self._exit(tokens, method, code, start)

        return wrapped

    def _wrap_stream(self, behavior: Callable, method: str, access: Access):
        async def wrapped(request_or_iterator, context: grpc.aio.ServicerContext):
            start = time.perf_counter()
            tokens = self._bind_request_id(context)
            code = "OK"
            try:
                await self._authenticate(context, access)
                async for item in behavior(request_or_iterator, context):
                    yield item
            except BaseException as exc:
                code = _code_name(exc, context)
                await self._handle(exc, context, method)
            finally:
                self._exit(tokens, method, code, start)

        return wrapped

    # -- steps ------------------------------------------------------------------------------

    def _bind_request_id(self, context: grpc.aio.ServicerContext):
        request_id = None
        for key, value in context.invocation_metadata() or ():
            if key == "x-request-id":
                request_id = value
                break
        return request_id_var.set(request_id or new_request_id()), principal_var.set(None)

    async def _authenticate(self, context: grpc.aio.ServicerContext, access: Access) -> None:
        if access is Access.PUBLIC or self._verifier is None:
            return
        metadata = context.invocation_metadata() or ()
        raw = token_from_metadata(metadata)
        if raw is None:
            if access is Access.AUTHENTICATED:
                raise Unauthenticated("a valid access token is required", reason="TOKEN_MISSING")
            return
        try:
            principal = await self._verifier.verify(raw)
        except DomainError:
            if access is Access.AUTHENTICATED:
                raise
            return
        for key, value in metadata:
            if key == ON_BEHALF_OF_HEADER:
                principal = on_behalf_of(principal, value)
                break
        principal_var.set(principal)

    async def _handle(self, exc: BaseException, context, method: str) -> None:
        if isinstance(exc, (grpc.aio.AbortError, asyncio.CancelledError, GeneratorExit)):
            raise exc
        if isinstance(exc, DomainError):
            await context.abort_with_status(to_grpc_status(exc, self._domain))
        if not isinstance(exc, Exception):
            raise exc
        log.exception("unhandled error", extra={"method": method})
        await context.abort_with_status(internal_status(self._domain))

    def _exit(self, tokens, method: str, code: str, start: float) -> None:
        if self._access_log:
            principal = principal_var.get()
            log.info(
                "rpc",
                extra={
                    "method": method,
                    "code": code,
                    "ms": round((time.perf_counter() - start) * 1000, 3),
                    "user": principal.subject if principal else None,
                },
            )
        rid_token, principal_token = tokens
        principal_var.reset(principal_token)
        request_id_var.reset(rid_token)


def _code_name(exc: BaseException, context) -> str:
    if isinstance(exc, DomainError):
        return exc.status
    if isinstance(exc, grpc.aio.AbortError):
        code = context.code()
        return code.name if isinstance(code, grpc.StatusCode) else str(code)
    if isinstance(exc, (asyncio.CancelledError, GeneratorExit)):
        return "CANCELLED"
    return "INTERNAL"
