/** The jobs a server runs, by kind. */
import { MERGE_ACTORS_JOB, mergeActorsJob } from '../merges/merge-job.ts';
import type { JobHandler } from './jobs.ts';

export const JOB_HANDLERS: Record<string, JobHandler> = { [MERGE_ACTORS_JOB]: mergeActorsJob };
