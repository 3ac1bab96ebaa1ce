"""Service tokens and acting on behalf of a user, against a real auth service."""

import grpc
import jwt
import pytest

from imagemesh.auth.v1 import auth_pb2
from imagemesh_kit.auth.remote import remote_verifier
from imagemesh_kit.config import ServiceSettings, load_settings
from imagemesh_kit.context import on_behalf_of
from imagemesh_kit.errors import PermissionDenied
from imagemesh_kit.grpc_errors import error_info

pytestmark = pytest.mark.integration


async def test_service_token_has_the_services_audience_and_role(auth_server):
    identity = auth_server.service_identity()
    token = await identity.token()
    assert await identity.token() == token  # cached until shortly before it expires
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == "imagemesh-services" and claims["role"] == "service" and claims["sub"] == "service:tester"
    assert claims["exp"] - claims["iat"] == 300
    principal = await remote_verifier(load_settings(ServiceSettings, auth_target=auth_server.target)).verify(token)
    assert principal.is_service


@pytest.mark.parametrize(
    ("service", "secret", "code", "reason"),
    [
        ("tester", "wrong-secret-0123456789", grpc.StatusCode.UNAUTHENTICATED, "INVALID_SERVICE_CREDENTIALS"),
        ("nobody", "tester-secret-0123456789", grpc.StatusCode.UNAUTHENTICATED, "INVALID_SERVICE_CREDENTIALS"),
        ("", "x", grpc.StatusCode.INVALID_ARGUMENT, "SERVICE_REQUIRED"),
        ("tester", "", grpc.StatusCode.INVALID_ARGUMENT, "SECRET_REQUIRED"),
    ],
)
async def test_bad_service_credentials(auth_server, service, secret, code, reason):
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await auth_server.stub.IssueServiceToken(auth_pb2.IssueServiceTokenRequest(service=service, secret=secret))
    assert exc.value.code() == code and error_info(exc.value).reason == reason


async def test_a_service_acts_for_a_user_but_a_user_cannot(auth_server):
    user_token = await auth_server.token("owner@example.com")
    user_id = await auth_server.user_id(user_token)
    identity = auth_server.service_identity()
    me = await auth_server.stub.GetMe(auth_pb2.GetMeRequest(), metadata=await identity.metadata(on_behalf_of=user_id))
    assert me.user.id == user_id
    spoof = (("authorization", f"Bearer {user_token}"), ("x-imagemesh-on-behalf-of", "someone-else"))
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await auth_server.stub.GetMe(auth_pb2.GetMeRequest(), metadata=spoof)
    assert exc.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(exc.value).reason == "ON_BEHALF_OF_REQUIRES_SERVICE"


def test_on_behalf_of_marks_the_acting_service():
    from imagemesh_kit.context import Principal

    acting = on_behalf_of(Principal(subject="service:sketch", role="service"), "u42")
    assert acting.subject == "u42" and acting.role == "user" and acting.acting_service == "sketch"
    with pytest.raises(PermissionDenied):
        on_behalf_of(Principal(subject="u1", role="admin"), "u42")
