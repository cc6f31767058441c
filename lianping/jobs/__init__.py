"""RQ job functions: small, idempotent, take ids and JSON, one session per job."""
