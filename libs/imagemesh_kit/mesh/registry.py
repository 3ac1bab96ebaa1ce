"""The service registry (deploy/services.toml) and the proto services each entry owns."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from google.protobuf import descriptor_pb2

REPO_ROOT = Path(__file__).resolve().parents[3]
REGISTRY_FILE = REPO_ROOT / "deploy" / "services.toml"
DESCRIPTOR_SET = REPO_ROOT / "libs" / "gen" / "imagemesh.pb"


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    module: str
    package: str
    port: int
    database: bool = False
    blobs: bool = False
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Registry:
    services: list[ServiceEntry]
    listen_port: int = 8080
    admin_port: int = 9901
    descriptor_set: Path = DESCRIPTOR_SET

    def entry(self, name: str) -> ServiceEntry:
        for s in self.services:
            if s.name == name:
                return s
        raise KeyError(name)

    @cached_property
    def files(self) -> descriptor_pb2.FileDescriptorSet:
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(self.descriptor_set.read_bytes())
        return fds

    def proto_services(self, entry: ServiceEntry) -> list[tuple[str, descriptor_pb2.ServiceDescriptorProto]]:
        """(full name, descriptor) of every proto service in the entry's package."""
        found = []
        for f in self.files.file:
            if f.package == entry.package:
                found += [(f"{f.package}.{s.name}", s) for s in f.service]
        return found

    def pb2_modules(self) -> list[str]:
        """Generated modules of every mesh proto file (for a reflection service that knows them all)."""
        packages = {s.package for s in self.services}
        return [f.name[: -len(".proto")].replace("/", ".") + "_pb2" for f in self.files.file if f.package in packages]


def load_registry(path: Path = REGISTRY_FILE, descriptor_set: Path = DESCRIPTOR_SET) -> Registry:
    data = tomllib.loads(path.read_text())
    services = [ServiceEntry(**s) for s in data.get("service", [])]
    names = [s.name for s in services]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: duplicate service names in {names}")
    mesh = data.get("mesh", {})
    return Registry(
        services=services,
        listen_port=mesh.get("listen_port", 8080),
        admin_port=mesh.get("admin_port", 9901),
        descriptor_set=descriptor_set,
    )
