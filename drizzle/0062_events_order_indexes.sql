CREATE INDEX "events_killed_desc_idx" ON "events" USING btree ("killed_min" desc nulls last,"id");--> statement-breakpoint
CREATE INDEX "events_title_idx" ON "events" USING btree ("title","id");