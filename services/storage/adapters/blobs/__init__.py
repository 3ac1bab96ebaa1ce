"""Content-addressed blob stores (local directory, S3) and the HMAC URL signer for the local backend."""
