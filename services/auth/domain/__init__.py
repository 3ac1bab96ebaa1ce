"""Auth domain: accounts, passwords, tokens and signing keys. No gRPC, no SQL."""
