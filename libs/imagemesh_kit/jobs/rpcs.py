"""A JobResource's five RPCs over gRPC (Get, List, Cancel, Delete, Watch): the request's id in, the response
message out. `JobRpcs` does the work; `job_methods(messages)` is a base class that gives a servicer the five
methods under their proto names, each handing the call to the servicer's `job_rpcs` (a JobRpcs).

The messages follow the AIP names: for a resource `Sketch` (plural `Sketches`), GetSketchResponse{sketch},
ListSketchesResponse{sketches, next_page_token}, CancelSketchResponse{sketch}, DeleteSketchResponse{} and
WatchSketchResponse{sketch}; every request but List's names the resource in `id_field`, and List's has
page_size and page_token.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from google.protobuf.message import Message

from imagemesh_kit.context import require_principal
from imagemesh_kit.jobs.resource import JobResource
from imagemesh_kit.streams import repeat_when_quiet


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class JobMessages:
    """How one job resource looks in its service's proto."""

    name: str  # the resource message's name ("Sketch")
    plural: str  # its plural, as in the List method's name ("Sketches")
    to_proto: Callable[[Any], Message]  # what the JobResource answers -> the resource message
    id_field: str  # the request field naming the resource ("sketch_id")
    field: str  # the response field holding one resource ("sketch")
    list_field: str  # the List response's repeated field ("sketches")
    get: type[Message]
    list: type[Message]
    cancel: type[Message]
    delete: type[Message]
    watch: type[Message]

    @classmethod
    def of(cls, pb: ModuleType, name: str, plural: str, *, id_field: str, to_proto: Callable[[Any], Message]):
        """By the AIP names in the generated module `pb` (a missing message fails here, at start-up)."""
        return cls(
            name=name,
            plural=plural,
            to_proto=to_proto,
            id_field=id_field,
            field=_snake(name),
            list_field=_snake(plural),
            get=getattr(pb, f"Get{name}Response"),
            list=getattr(pb, f"List{plural}Response"),
            cancel=getattr(pb, f"Cancel{name}Response"),
            delete=getattr(pb, f"Delete{name}Response"),
            watch=getattr(pb, f"Watch{name}Response"),
        )


class JobRpcs:
    """`watch_heartbeat_s`: while a watched job does not change, its current state is sent again this often, so
    that a proxy's stream idle timeout does not cut the stream (None: only changes are sent)."""

    def __init__(self, resource: JobResource, messages: JobMessages, *, watch_heartbeat_s: float | None = None):
        self.resource = resource
        self.messages = messages
        self.watch_heartbeat_s = watch_heartbeat_s

    def _one(self, response: type[Message], item: Any) -> Message:
        return response(**{self.messages.field: self.messages.to_proto(item)})

    async def get(self, request: Message) -> Message:
        item = await self.resource.get(require_principal(), getattr(request, self.messages.id_field))
        return self._one(self.messages.get, item)

    async def list(self, request: Message) -> Message:
        m = self.messages
        items, token = await self.resource.list(require_principal(), request.page_size, request.page_token)
        return m.list(**{m.list_field: [m.to_proto(i) for i in items]}, next_page_token=token)

    async def cancel(self, request: Message) -> Message:
        item = await self.resource.cancel(require_principal(), getattr(request, self.messages.id_field))
        return self._one(self.messages.cancel, item)

    async def delete(self, request: Message) -> Message:
        await self.resource.delete(require_principal(), getattr(request, self.messages.id_field))
        return self.messages.delete()

    async def watch(self, request: Message) -> AsyncIterator[Message]:
        states = self.resource.watch(require_principal(), getattr(request, self.messages.id_field))
        if self.watch_heartbeat_s is not None:
            states = repeat_when_quiet(states, self.watch_heartbeat_s)
        async for item in states:
            yield self._one(self.messages.watch, item)


def job_methods(messages: JobMessages) -> type:
    """A servicer base class with Get{name}, List{plural}, Cancel{name}, Delete{name} and Watch{name}, each
    handing the call to `self.job_rpcs` (set in the servicer's __init__). Put it before the generated base:
    `class SketchServicer(job_methods(MESSAGES), sketch_pb2_grpc.SketchServiceServicer)`."""

    async def get(self, request, context):
        return await self.job_rpcs.get(request)

    async def list_(self, request, context):
        return await self.job_rpcs.list(request)

    async def cancel(self, request, context):
        return await self.job_rpcs.cancel(request)

    async def delete(self, request, context):
        return await self.job_rpcs.delete(request)

    async def watch(self, request, context):  # an async generator: grpc.aio streams what it yields
        async for response in self.job_rpcs.watch(request):
            yield response

    name, plural = messages.name, messages.plural
    methods = {f"Get{name}": get, f"List{plural}": list_, f"Cancel{name}": cancel, f"Delete{name}": delete}
    methods[f"Watch{name}"] = watch
    for method_name, fn in methods.items():
        fn.__name__, fn.__qualname__ = method_name, f"{name}JobMethods.{method_name}"
    return type(f"{name}JobMethods", (), methods)
