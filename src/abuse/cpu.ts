/**
 * CPU time of the server and of PostgreSQL, read from /proc (Linux): on a machine whose cores are
 * shared, wall-clock latency says as much about the neighbours as about the code, CPU time per
 * request much less so. `npm run abuse` and scripts/bench-abuse-cpu.ts print it. Elsewhere
 * (no /proc) every reading is undefined and nothing is printed.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process (all its threads), ms; with its waited-for children's when asked. */
export function processCpuMs(pid: number, withReapedChildren = false): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // After the name, field 3 (state) is index 0: utime is 14, stime 15, cutime 16, cstime 17.
  const ticks = Number(fields[11]) + Number(fields[12]) + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return ticks * TICK_MS;
}

/**
 * A PostgreSQL server's CPU, ms: the postmaster with the backends it has reaped, and every
 * backend and worker running under it now.
 */
export function postgresCpuMs(postmaster: number): number | undefined {
  let total = processCpuMs(postmaster, true);
  if (total === undefined) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (Number(statFields(Number(entry))?.[1]) === postmaster) total += processCpuMs(Number(entry)) ?? 0;
  }
  return total;
}

/** The postmaster's pid from a data directory's postmaster.pid (first line). */
export function postmasterPid(dataDir: string): number | undefined {
  const file = `${dataDir}/postmaster.pid`;
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export interface CpuReading {
  serverMs: number | undefined;
  postgresMs: number | undefined;
}

export function readCpu(serverPid: number | undefined, postmaster: number | undefined): CpuReading {
  return {
    serverMs: serverPid === undefined ? undefined : processCpuMs(serverPid),
    postgresMs: postmaster === undefined ? undefined : postgresCpuMs(postmaster),
  };
}

/** CPU spent between two readings, ms (undefined where either side could not be read). */
export function cpuBetween(from: CpuReading, to: CpuReading): CpuReading {
  const diff = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : b - a);
  return { serverMs: diff(from.serverMs, to.serverMs), postgresMs: diff(from.postgresMs, to.postgresMs) };
}
