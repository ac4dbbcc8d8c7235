/**
 * Which claim a global id names: a claim-record's own (Relationship, Participation, Adherence,
 * ActorName, UpdateClaim) or the claim establishing an Event, Actor or Doctrine. Retractions and
 * gradings name claims this way.
 */
import { eq, sql } from 'drizzle-orm';
import { actorRevisions, actors, adherences, doctrines, eventRevisions, events, participations, relationships, actorNames } from '../../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { parseGlobalId } from '../global-ids.ts';
import type { Tx } from '../service.ts';

/** The claim id a global id stands for: of a claim, or of the record a claim establishes. */
export async function claimIdOf(tx: Tx, globalId: string, path: string[]): Promise<number> {
  const decoded = parseGlobalId(globalId);
  if (!decoded) throw new ValidationError(`"${globalId}" is not a valid global ID`, path);
  const id = Number(decoded.id);
  const establishing = { Event: events, Actor: actors, Doctrine: doctrines } as const;
  // A claim id names a claim of its own type only: a Relationship id carrying an adherence's claim
  // id must not retract the adherence.
  const ofType = {
    Relationship: sql`select 1 from ${relationships} where claim_id = ${id}`,
    Participation: sql`select 1 from ${participations} where claim_id = ${id}`,
    Adherence: sql`select 1 from ${adherences} where claim_id = ${id}`,
    ActorName: sql`select 1 from ${actorNames} where claim_id = ${id}`,
    // An update claim: retracting it marks it wrong; the values it set stay until another update.
    UpdateClaim: sql`select 1 from ${actorRevisions} where superseded_by_claim_id = ${id}
                     union all select 1 from ${eventRevisions} where superseded_by_claim_id = ${id}`,
  } as const;
  switch (decoded.typename) {
    case 'Relationship':
    case 'Participation':
    case 'Adherence':
    case 'ActorName':
    case 'UpdateClaim': {
      const found = await tx.execute(sql`select exists (${ofType[decoded.typename]}) as found`);
      if (!(found[0] as { found?: boolean } | undefined)?.found) throw new NotFoundError(`no ${decoded.typename} ${globalId}`, path);
      return id;
    }
    case 'Event':
    case 'Actor':
    case 'Doctrine': {
      const table = establishing[decoded.typename];
      const [row] = await tx.select({ claimId: table.claimId }).from(table).where(eq(table.id, id));
      if (!row) throw new NotFoundError(`no ${decoded.typename} ${globalId}`, path);
      return row.claimId;
    }
    default:
      throw new ValidationError(`a ${decoded.typename} is not a claim and cannot be retracted`, path);
  }
}
