-- Awards honour Idempotency-Key through request_keys like every creating POST (scoped to
-- the sender, kept a day, the answer replayed); the ledger's own key column is retired.
ALTER TABLE grape_ledger DROP COLUMN idempotency_key;
