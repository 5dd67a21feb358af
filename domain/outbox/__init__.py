"""The transactional outbox: side effects written in the use case's transaction, relayed after it."""
