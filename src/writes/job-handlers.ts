/** The jobs a server runs, by kind. */
import type { JobHandler } from '../domain/jobs/jobs.ts';
import { GRADE_SOURCES_JOB, gradeSourcesJob } from './grade-sources-job.ts';
import { MERGE_ACTORS_JOB, mergeActorsJob } from './merge-job.ts';
import { UPDATE_EVENTS_JOB, updateEventsJob } from './update-events-job.ts';

export const JOB_HANDLERS: Record<string, JobHandler> = { [MERGE_ACTORS_JOB]: mergeActorsJob, [UPDATE_EVENTS_JOB]: updateEventsJob, [GRADE_SOURCES_JOB]: gradeSourcesJob };
