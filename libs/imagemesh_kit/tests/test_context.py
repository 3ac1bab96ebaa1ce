from imagemesh_kit.context import ON_BEHALF_OF_HEADER, Principal


def test_a_user_is_forwarded_with_their_own_token():
    user = Principal(subject="u1", token="user.jwt")
    assert user.forwarded_metadata() == (("authorization", "Bearer user.jwt"),)


def test_a_service_acting_for_a_user_keeps_acting_for_that_user():
    acting = Principal(subject="u1", role="user", token="service.jwt", acting_service="sketch")
    assert acting.forwarded_metadata() == (("authorization", "Bearer service.jwt"), (ON_BEHALF_OF_HEADER, "u1"))
