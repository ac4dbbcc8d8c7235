-- summary_queue is a queue: every write inserts keys and every drain deletes them, so its dead rows
-- pile up faster than the default thresholds (20% of the table) vacuum them, and each drain's
-- look at the queue walks past them. Vacuum it after every 1,000 changed rows instead.
ALTER TABLE "summary_queue" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000);
