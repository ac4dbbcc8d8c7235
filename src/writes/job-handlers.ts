/** The jobs a server runs, by kind. */
import type { JobHandler } from '../domain/jobs/jobs.ts';
import { MERGE_ACTORS_JOB, mergeActorsJob } from './merge-job.ts';

export const JOB_HANDLERS: Record<string, JobHandler> = { [MERGE_ACTORS_JOB]: mergeActorsJob };
