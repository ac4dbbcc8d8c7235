/**
 * Prometheus metrics, one registry per app (two apps in one process, as in the tests, must not
 * clash): requests and latency per operation, errors by code, refusals, database pool use.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Operation names come from clients: only this many distinct ones get their own series. */
const MAX_OPERATION_NAMES = 200;

export interface PoolStats {
  size: number;
  /** Database-bound requests holding a slot / waiting for one. */
  active: number;
  waiting: number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  readonly requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL HTTP requests by operation name and HTTP status.',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation name.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors returned to clients, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly slotWait = new Histogram({
    name: 'db_pool_wait_seconds',
    help: 'How long operations waited for a database slot, by lane (confined: heavy operations and clients far above their share).',
    labelNames: ['lane'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  });
  readonly exportRows = new Counter({
    name: 'export_rows_total',
    help: 'Rows exports (/export/*) have read from PostgreSQL, by export path: they grow as clients read, not ahead of them.',
    labelNames: ['export'] as const,
    registers: [this.registry],
  });
  readonly databaseUp = new Gauge({
    name: 'database_up',
    help: '1 when PostgreSQL answered the last health probe with all migrations applied.',
    registers: [this.registry],
  });

  constructor(poolStats?: () => PoolStats) {
    collectDefaultMetrics({ register: this.registry });
    if (poolStats) {
      const registers = [this.registry];
      new Gauge({ name: 'db_pool_size', help: 'Connections the pool may open.', registers, collect() { this.set(poolStats().size); } });
      new Gauge({ name: 'db_pool_requests_active', help: 'Database-bound requests holding a pool slot.', registers, collect() { this.set(poolStats().active); } });
      new Gauge({ name: 'db_pool_requests_waiting', help: 'Database-bound requests waiting for a pool slot.', registers, collect() { this.set(poolStats().waiting); } });
    }
  }

  /** The label for an operation name, bounded in number and shape. */
  operationLabel(name: string | undefined | null): string {
    if (!name) return 'anonymous';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'other';
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_NAMES) return 'other';
    this.operations.add(name);
    return name;
  }
}
