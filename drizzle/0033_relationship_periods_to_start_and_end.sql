-- A relationship's one period ("held within these days") becomes its start and its end: both lie
-- in the period, so each takes the period's words, range and precision. Nothing is lost, and no
-- bound is made narrower than the period said.
UPDATE relationships
   SET start_text = period_text, start_earliest = period_start, start_latest = period_end, start_precision = period_precision,
       end_text = period_text, end_earliest = period_start, end_latest = period_end, end_precision = period_precision
 WHERE period_precision IS NOT NULL OR period_text IS NOT NULL OR period_start IS NOT NULL OR period_end IS NOT NULL;
