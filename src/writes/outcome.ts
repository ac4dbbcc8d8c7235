/**
 * Honest write outcomes. A request can be answered before its write has finished (the
 * whole-request deadline, or the database declared down while a statement hangs). Whether that
 * answer may say "nothing was written" depends on one moment: postgres.js sends COMMIT only
 * after the transaction's function has returned. So each write carries a `WriteTicket`:
 * - before that moment (`open`), the request that gives up marks it abandoned, and the function
 *   refuses to return (it throws, postgres.js sends ROLLBACK or the connection dies): the write
 *   can never commit, and "unavailable, try again" is the truth;
 * - after it (`committing`), nobody can know until PostgreSQL answers: the client is told the
 *   outcome is unknown (WRITE_OUTCOME_UNKNOWN) and that retrying the same request is safe, which
 *   every write makes true (an idempotency key, the client's or an implicit one:
 *   src/writes/transaction.ts).
 * When COMMIT fails because the connection broke, `commitOutcome` asks PostgreSQL through
 * another connection what became of the transaction (pg_xact_status), ending its backend first
 * if it is still running, so the write cannot commit after the answer.
 */
import { sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { Database } from '../db/client.ts';

export type WriteStage = 'open' | 'committing' | 'settled';

export class WriteTicket {
  stage: WriteStage = 'open';
  /** Set by a request that answered without waiting: the write must not commit any more. */
  abandoned = false;
  /** The transaction's id and backend, learnt by its first statement (for commitOutcome). */
  xid: string | undefined;
  backendPid: number | undefined;
}

/** A write abandoned before COMMIT: rolled back, and nobody waits for it any more. */
export class WriteAbandoned extends Error {
  constructor() {
    super('the request was answered before this write reached COMMIT: rolled back');
  }
}

/** The writes one request makes (mutations run one after another, each its own transaction). */
export class RequestWrites {
  private readonly tickets: WriteTicket[] = [];
  private gaveUp = false;

  open(): WriteTicket {
    const ticket = new WriteTicket();
    ticket.abandoned = this.gaveUp;
    this.tickets.push(ticket);
    return ticket;
  }

  /**
   * The request is being answered without waiting for its writes. Writes that have not reached
   * COMMIT never will; returns true when one has, and so may still be stored.
   */
  abandon(): boolean {
    this.gaveUp = true;
    let mayCommit = false;
    for (const ticket of this.tickets) {
      if (ticket.stage === 'open') ticket.abandoned = true;
      if (ticket.stage === 'committing') mayCommit = true;
    }
    return mayCommit;
  }

  /** The writes whose COMMIT has been sent and not answered. */
  committing(): WriteTicket[] {
    return this.tickets.filter((ticket) => ticket.stage === 'committing');
  }
}

export const WRITE_OUTCOME_UNKNOWN = 'WRITE_OUTCOME_UNKNOWN';

export function writeOutcomeUnknown(): GraphQLError {
  return new GraphQLError(
    'The database stopped answering while this write was being committed, so it may or may not have been stored. ' +
      'Send the same request again once the database is back: a repeat of the same input (with the same idempotencyKey, if you sent one) ' +
      'is answered with the stored result and is never written twice.',
    { extensions: { code: WRITE_OUTCOME_UNKNOWN, http: { status: 503, headers: { 'retry-after': '2' } } } },
  );
}

/** How long commitOutcome may spend asking, ms: the request is already late. */
export const OUTCOME_CHECK_MS = 2000;

type XactStatus = 'committed' | 'aborted' | 'in progress' | null;

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What became of a transaction whose COMMIT got no answer: 'committed', 'aborted', or 'unknown'
 * when PostgreSQL cannot be asked within `ms`. A backend still running it is terminated first, so
 * an 'aborted' answer stays true.
 */
export async function commitOutcome(db: Database, ticket: WriteTicket, ms = OUTCOME_CHECK_MS): Promise<'committed' | 'aborted' | 'unknown'> {
  if (ticket.xid === undefined) return 'unknown';
  const deadline = Date.now() + ms;
  const status = async (): Promise<XactStatus | 'late'> => {
    const rows = await withDeadline(
      db.execute<{ status: XactStatus }>(sql`select pg_xact_status(${ticket.xid}::xid8) as status`),
      Math.max(1, deadline - Date.now()),
    );
    return rows === 'late' ? 'late' : (rows[0]?.status ?? null);
  };
  try {
    for (;;) {
      const now = await status();
      if (now === 'committed' || now === 'aborted') return now;
      if (now === 'late' || now === null || Date.now() >= deadline) return 'unknown';
      // Still in progress on a connection we no longer hear from: end it, so it cannot commit later.
      if (ticket.backendPid !== undefined) {
        await withDeadline(db.execute(sql`select pg_terminate_backend(${ticket.backendPid})`), Math.max(1, deadline - Date.now()));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch {
    return 'unknown';
  }
}
