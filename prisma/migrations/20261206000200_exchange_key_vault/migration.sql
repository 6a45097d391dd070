-- What may be shown of a stored key (never the key), and when it was last stored (rotation).
ALTER TABLE "exchange_keys" ADD COLUMN "access_key_last4" TEXT NOT NULL DEFAULT '';
ALTER TABLE "exchange_keys" ADD COLUMN "fingerprint" TEXT NOT NULL DEFAULT '';
ALTER TABLE "exchange_keys" ADD COLUMN "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
