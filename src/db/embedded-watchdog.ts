/**
 * A watchdog that stops the embedded PostgreSQL when the process that started it dies, however it
 * dies: the server is a child process that outlives a parent killed with -9 or by the
 * out-of-memory killer, and then holds the data directory until someone stops it.
 *
 * The watchdog is a tiny shell (no second Node process) reading a pipe whose other end only the
 * parent holds: the kernel closes it when the parent exits, the read ends at once, and the
 * watchdog sends the postmaster SIGINT (fast shutdown), then SIGQUIT if it is still up after
 * 30 s. It runs in a session of its own, so a terminal's Ctrl-C or hang-up does not stop it
 * before it has done its job, and it first checks that postmaster.pid still names the pid it
 * guards (so a server already stopped, or a pid reused since, is left alone).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

const SCRIPT = `
cat >/dev/null
owned() { [ "$(head -n 1 "$2/postmaster.pid" 2>/dev/null)" = "$1" ]; }
owned "$1" "$2" || exit 0
kill -INT "$1" 2>/dev/null
i=0
while kill -0 "$1" 2>/dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
owned "$1" "$2" && kill -QUIT "$1" 2>/dev/null
exit 0
`;

export interface Watchdog {
  pid: number | undefined;
  /** The owner stops the server itself: the watchdog leaves (it finds postmaster.pid gone or changed). */
  release: () => void;
}

/** Undefined where there is no POSIX shell (Windows): there, a crash still leaves the server running. */
export function watchPostmaster(postmasterPid: number, dataDir: string): Watchdog | undefined {
  if (process.platform === 'win32') return undefined;
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', SCRIPT, 'embedded-postgres-watchdog', String(postmasterPid), dataDir], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  } catch {
    return undefined;
  }
  child.on('error', () => {});
  // Neither the child nor its pipe may keep this process alive.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  child.stdin?.on('error', () => {});
  return { pid: child.pid, release: () => child.stdin?.end() };
}
