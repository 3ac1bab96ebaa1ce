"""Operators debugging with grpcurl through the same Envoy port."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import grpcurl, register_and_login

pytestmark = pytest.mark.e2e


def test_list_and_describe_through_envoy(mesh):
    out = grpcurl(mesh, "list")
    assert out.returncode == 0, out.stderr
    services = out.stdout.split()
    for entry in mesh.registry.services:
        for full_name, _ in mesh.registry.proto_services(entry):
            assert full_name in services
    described = grpcurl(mesh, "describe", "imagemesh.auth.v1.AuthService")
    assert described.returncode == 0 and "rpc Login ( .imagemesh.auth.v1.LoginRequest )" in described.stdout
    message = grpcurl(mesh, "describe", "imagemesh.auth.v1.LoginRequest")
    assert message.returncode == 0 and "string password" in message.stdout


def test_login_and_me_over_native_grpc(mesh, client):
    tokens = register_and_login(client)
    login = grpcurl(
        mesh,
        "imagemesh.auth.v1.AuthService/Login",
        data=json.dumps({"email": tokens["email"], "password": "correct horse battery"}),
    )
    assert login.returncode == 0, login.stderr
    access = json.loads(login.stdout)["access_token"]  # grpcurl prints proto field names
    me = grpcurl(mesh, "imagemesh.auth.v1.AuthService/GetMe", flags=("-H", f"authorization: Bearer {access}"))
    assert me.returncode == 0 and json.loads(me.stdout)["user"]["email"] == tokens["email"]


def test_errors_carry_status_and_reason(mesh):
    bad = grpcurl(
        mesh, "imagemesh.auth.v1.AuthService/Register", data=json.dumps({"email": "x", "password": "correct horse"})
    )
    assert bad.returncode != 0
    assert "InvalidArgument" in bad.stderr and "EMAIL_INVALID" in bad.stderr
    anon = grpcurl(mesh, "imagemesh.auth.v1.AuthService/GetMe")
    assert "Unauthenticated" in anon.stderr and "Jwt is missing" in anon.stderr


def test_health_of_one_service_by_header(mesh):
    out = grpcurl(mesh, "grpc.health.v1.Health/Check", flags=("-H", "x-imagemesh-service: auth"))
    assert out.returncode == 0 and json.loads(out.stdout)["status"] == "SERVING"
