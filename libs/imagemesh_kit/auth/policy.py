"""Method access policies, read from the `(imagemesh.options.v1.policy)` option of each RPC.

The same option drives Envoy's jwt_authn rules (see imagemesh_kit.mesh.envoy), so the edge and the
services always agree on which methods are public.
"""

from __future__ import annotations

import functools
from enum import Enum

from google.protobuf import descriptor_pool

from imagemesh.options.v1 import options_pb2

# Health and reflection are infrastructure: always public.
_ALWAYS_PUBLIC_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")


class Access(Enum):
    PUBLIC = "public"
    OPTIONAL = "optional"
    AUTHENTICATED = "authenticated"


def method_policy(method_descriptor) -> options_pb2.MethodPolicy:
    opts = method_descriptor.GetOptions()
    if opts.HasExtension(options_pb2.policy):
        return opts.Extensions[options_pb2.policy]
    return options_pb2.MethodPolicy()


def access_of_descriptor(method_descriptor) -> Access:
    access = method_policy(method_descriptor).access
    if access == options_pb2.ACCESS_PUBLIC:
        return Access.PUBLIC
    if access == options_pb2.ACCESS_OPTIONAL:
        return Access.OPTIONAL
    return Access.AUTHENTICATED


@functools.lru_cache(maxsize=4096)
def access_for(full_method: str) -> Access:
    """`/pkg.Service/Method` -> its Access. Unknown methods need a token (deny by default)."""
    if full_method.startswith(_ALWAYS_PUBLIC_PREFIXES):
        return Access.PUBLIC
    service_name, _, method_name = full_method.lstrip("/").partition("/")
    try:
        service = descriptor_pool.Default().FindServiceByName(service_name)
    except KeyError:
        return Access.AUTHENTICATED
    method = service.methods_by_name.get(method_name)
    return access_of_descriptor(method) if method is not None else Access.AUTHENTICATED
