"""A service verifying tokens against a real auth service's JWKS over gRPC."""

import pytest

from imagemesh_kit.auth.remote import remote_verifier
from imagemesh_kit.config import ServiceSettings, load_settings
from imagemesh_kit.errors import Unauthenticated

pytestmark = pytest.mark.integration


async def test_remote_verifier_accepts_auth_tokens_and_follows_rotation(auth_server):
    settings = load_settings(ServiceSettings, auth_target=auth_server.target)
    verifier = remote_verifier(settings)
    token = await auth_server.token("remote@example.com")
    principal = await verifier.verify(token)
    assert principal.email == "remote@example.com" and principal.role == "user"
    use_cases = auth_server.running.app.servicers[0][1]._uc
    await use_cases.rotate_keys()
    admin = await auth_server.token("boss@example.com", role="admin")
    assert (await verifier.verify(admin)).is_admin
    with pytest.raises(Unauthenticated):
        await verifier.verify(token[:-3] + "abc")
