//! The embedded server over real HTTP: create modes, SSE, patches, idempotency, errors.
