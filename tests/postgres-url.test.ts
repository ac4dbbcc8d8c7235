/**
 * DATABASE_URL as libpq reads it: a `host` parameter naming a Unix-socket directory (Cloud SQL's
 * `postgres://user:pass@/db?host=/cloudsql/…`, a local server's `?host=/var/run/postgresql`) and a
 * `port` parameter, which postgres.js alone would send to the server as settings.
 */
import { describe, expect, inject, it } from 'vitest';
import { connectDatabase, postgresTarget } from '../src/db/client.ts';

describe('postgresTarget', () => {
  it('takes host and port parameters out of the URL as options', () => {
    expect(postgresTarget('postgres://analyst:secret@/knowledge?host=/cloudsql/p:r:i')).toEqual({
      url: 'postgres://analyst:secret@localhost/knowledge',
      host: '/cloudsql/p:r:i',
    });
    expect(postgresTarget('postgresql:///knowledge?host=%2Fvar%2Frun%2Fpostgresql&port=5433&sslmode=disable')).toEqual({
      url: 'postgresql://localhost/knowledge?sslmode=disable',
      host: '/var/run/postgresql',
      port: 5433,
    });
    expect(postgresTarget('postgres://analyst@:6543/knowledge?host=/tmp')).toEqual({ url: 'postgres://analyst@localhost:6543/knowledge', host: '/tmp' });
    expect(postgresTarget('postgres://db.internal/knowledge?host=replica.internal')).toEqual({ url: 'postgres://db.internal/knowledge', host: 'replica.internal' });
  });

  it('leaves a URL without them as it is', () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://u:p@h/db?sslmode=require', 'postgres://u:p@h/db?port=x']) {
      expect(postgresTarget(url)).toEqual({ url });
    }
  });

  it("connects through the test server's Unix socket", async () => {
    const serverUrl = new URL(inject('serverUrl'));
    const tcp = connectDatabase(serverUrl.toString(), { max: 1 });
    const [settings] = await tcp.sql<{ directories: string; port: number }[]>`
      select current_setting('unix_socket_directories') as directories, current_setting('port')::int as port`;
    await tcp.close();
    const directory = settings!.directories.split(',')[0]!.trim();
    expect(directory).toMatch(/^\//);
    const credentials = serverUrl.password ? `${serverUrl.username}:${serverUrl.password}` : serverUrl.username;
    const socket = connectDatabase(`postgres://${credentials}@${serverUrl.pathname}?host=${encodeURIComponent(directory)}&port=${settings!.port}`, { max: 1 });
    try {
      const [row] = await socket.sql<{ address: string | null }[]>`select inet_server_addr()::text as address`;
      expect(row).toEqual({ address: null });
    } finally {
      await socket.close();
    }
  });
});

describe('connectDatabase', () => {
  it('opens sessions without JIT compilation, whatever the server defaults to', async () => {
    const handle = connectDatabase(inject('serverUrl'), { max: 1 });
    try {
      const [row] = await handle.sql<{ jit: string }[]>`select current_setting('jit') as jit`;
      expect(row?.jit).toBe('off');
    } finally {
      await handle.close();
    }
  });
});
