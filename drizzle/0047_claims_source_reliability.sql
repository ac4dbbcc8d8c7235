-- Each claim's best source reliability, so that a reliability floor reads one column of the claim
-- instead of its citations and their sources for every claim it checks (docs/performance.md,
-- "Reliability floors"). Kept from here on by claim_citations_grade_claims and
-- sources_regrade_claims (src/db/sql/integrity.sql); filled once here for the claims already cited.
ALTER TABLE "claims" ADD COLUMN "source_reliability" "source_reliability";
--> statement-breakpoint
UPDATE claims c SET source_reliability = graded.best
  FROM (SELECT cc.claim_id, min(s.reliability) AS best
          FROM claim_citations cc
          JOIN citations ct ON ct.id = cc.citation_id
          JOIN sources s ON s.id = ct.source_id
         WHERE s.reliability IS NOT NULL
         GROUP BY cc.claim_id) graded
 WHERE c.id = graded.claim_id;
