CREATE TABLE "citation_search_documents" (
	"citation_id" integer PRIMARY KEY NOT NULL,
	"document" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_search_documents" (
	"event_id" integer PRIMARY KEY NOT NULL,
	"document" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "source_search_documents" (
	"source_id" integer PRIMARY KEY NOT NULL,
	"document" "tsvector" NOT NULL
);
--> statement-breakpoint
DROP INDEX "citations_search_idx";--> statement-breakpoint
DROP INDEX "events_search_idx";--> statement-breakpoint
DROP INDEX "sources_search_idx";--> statement-breakpoint
ALTER TABLE "citation_search_documents" ADD CONSTRAINT "citation_search_documents_citation_id_citations_id_fk" FOREIGN KEY ("citation_id") REFERENCES "public"."citations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_search_documents" ADD CONSTRAINT "event_search_documents_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_search_documents" ADD CONSTRAINT "source_search_documents_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "citation_search_documents_document_idx" ON "citation_search_documents" USING gin ("document");--> statement-breakpoint
CREATE INDEX "event_search_documents_document_idx" ON "event_search_documents" USING gin ("document");--> statement-breakpoint
CREATE INDEX "source_search_documents_document_idx" ON "source_search_documents" USING gin ("document");