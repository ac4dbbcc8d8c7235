CREATE TABLE "actor_doctrine_sets" (
	"actor_id" integer NOT NULL,
	"doctrine_id" integer NOT NULL,
	CONSTRAINT "actor_doctrine_sets_actor_id_doctrine_id_pk" PRIMARY KEY("actor_id","doctrine_id")
);
--> statement-breakpoint
CREATE TABLE "sql_sources_applied" (
	"sha256" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
