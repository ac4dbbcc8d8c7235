-- Instances remember the principals of recent tokens (src/auth/token-cache.ts). Any change to a
-- token row, from the CLI, another instance or plain SQL, is announced with the token's sha256
-- so that every listening instance forgets it at once (a revocation takes effect immediately).
CREATE FUNCTION notify_api_tokens_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('api_tokens_changed', OLD.token_sha256);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER api_tokens_changed AFTER UPDATE OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION notify_api_tokens_changed();
