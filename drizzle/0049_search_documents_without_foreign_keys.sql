ALTER TABLE "citation_search_documents" DROP CONSTRAINT "citation_search_documents_citation_id_citations_id_fk";
--> statement-breakpoint
ALTER TABLE "event_search_documents" DROP CONSTRAINT "event_search_documents_event_id_events_id_fk";
--> statement-breakpoint
ALTER TABLE "source_search_documents" DROP CONSTRAINT "source_search_documents_source_id_sources_id_fk";
