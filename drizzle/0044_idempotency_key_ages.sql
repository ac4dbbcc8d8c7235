DROP INDEX "idempotency_keys_created_at_idx";--> statement-breakpoint
CREATE INDEX "idempotency_keys_implicit_age_idx" ON "idempotency_keys" USING btree ("created_at") WHERE starts_with(key, 'implicit:');--> statement-breakpoint
CREATE INDEX "idempotency_keys_client_age_idx" ON "idempotency_keys" USING btree ("created_at") WHERE not starts_with(key, 'implicit:');--> statement-breakpoint
CREATE INDEX "idempotency_keys_key_bytes_idx" ON "idempotency_keys" USING btree (("key" collate "C"));