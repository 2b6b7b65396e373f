/**
 * Prometheus metrics: one `/metrics` endpoint per worker process serving Tandem's own metrics
 * (rows pulled / pushed per object, errors per type, backlog, API usage, cycle duration) followed by
 * the Temporal runtime's (task latencies, poller and slot gauges, and the workflow's cycle histogram),
 * which the SDK exports on an internal loopback port and this endpoint relays.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { Counter, Gauge, Registry } from 'prom-client';
import type { SyncActivities } from './activities';
import { logger } from './logger';

/** Tandem's own metrics, in a registry of their own. */
export const registry = new Registry();

const rowsPulled = new Counter({
  name: 'tandem_rows_pulled_total',
  help: 'Rows upserted from Salesforce by incremental pulls',
  labelNames: ['object'],
  registers: [registry],
});
const rowsDeleted = new Counter({
  name: 'tandem_rows_deleted_total',
  help: 'Rows marked deleted (or removed) by pulls',
  labelNames: ['object'],
  registers: [registry],
});
const rowsCopied = new Counter({
  name: 'tandem_rows_copied_total',
  help: 'Rows written by initial copies',
  labelNames: ['object'],
  registers: [registry],
});
const rowsPushed = new Counter({
  name: 'tandem_rows_pushed_total',
  help: 'Marketing-side changes accepted by Salesforce',
  labelNames: ['object'],
  registers: [registry],
});
const pushFailures = new Counter({
  name: 'tandem_push_failures_total',
  help: 'Records Salesforce refused permanently (see tandem.sync_error)',
  labelNames: ['object'],
  registers: [registry],
});
const backlog = new Gauge({
  name: 'tandem_outbox_backlog',
  help: 'Outbox rows still pending after the last push',
  labelNames: ['object'],
  registers: [registry],
});
const apiCalls = new Counter({
  name: 'tandem_salesforce_api_calls_total',
  help: 'Salesforce API calls sent (every request through the client: queries, describes, limits, Bulk polls and pages, writes), by activity and object',
  labelNames: ['activity', 'object'],
  registers: [registry],
});

/** The activity call in progress, so an API call is counted against it. */
const currentActivity = new AsyncLocalStorage<{ activity: string; object: string }>();

/** Counts one Salesforce API call; the SalesforceClient calls it for every request it sends (`onApiCall`). */
export function countSalesforceCall(): void {
  apiCalls.inc(currentActivity.getStore() ?? { activity: '', object: '' });
}
const apiUsage = new Gauge({
  name: 'tandem_salesforce_api_usage',
  help: 'Daily API usage as Salesforce last reported it',
  labelNames: ['kind'],
  registers: [registry],
});
const orgMismatch = new Gauge({
  name: 'tandem_org_mismatch',
  help: '1 while the credentials log into another Salesforce org than the one the data schema is bound to (nothing syncs), else 0',
  labelNames: ['bound_org', 'connected_org'],
  registers: [registry],
});
const activityErrors = new Counter({
  name: 'tandem_activity_errors_total',
  help: 'Activity attempts that failed, by activity, object and error type',
  labelNames: ['activity', 'object', 'type'],
  registers: [registry],
});

/** The numeric fields of an activity result (counts, flags), for the log line. */
function summarise(output: unknown): Record<string, number | boolean> {
  if (!output || typeof output !== 'object') return {};
  return Object.fromEntries(
    Object.entries(output).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean'),
  ) as Record<string, number | boolean>;
}

function errorType(error: unknown): string {
  const e = error as { type?: string; name?: string };
  return e?.type ?? e?.name ?? 'Error';
}

const activityLog = logger.child({ component: 'activity' });

/**
 * Wraps the activities so every result and failure is counted here and logged (activity, object,
 * cycle, counts, duration — never record content); behaviour is otherwise unchanged.
 */
export function instrumentActivities(activities: SyncActivities): SyncActivities {
  const counted =
    <I extends object, O>(
      activity: keyof SyncActivities,
      fn: (input: I) => Promise<O>,
      record: (input: I, output: O) => void,
    ) =>
    async (input: I): Promise<O> => {
      const started = Date.now();
      const { object, cycle } = input as { object?: string; cycle?: number };
      try {
        const output = await currentActivity.run({ activity, object: object ?? '' }, () => fn(input));
        record(input, output);
        activityLog.info(
          { activity, object, cycle, durationMs: Date.now() - started, ...summarise(output) },
          `${activity} done`,
        );
        return output;
      } catch (error) {
        activityErrors.inc({ activity, object: object ?? '', type: errorType(error) });
        activityLog.warn(
          {
            activity,
            object,
            cycle,
            durationMs: Date.now() - started,
            type: errorType(error),
            err: (error as Error)?.message,
          },
          `${activity} failed`,
        );
        throw error;
      }
    };
  return {
    planCycle: counted('planCycle', activities.planCycle, (_input, plan) => {
      orgMismatch.reset();
      if (plan.orgMismatch) {
        orgMismatch.set(
          { bound_org: plan.orgMismatch.bound.orgId, connected_org: plan.orgMismatch.connected.orgId },
          1,
        );
        activityLog.error(
          { boundOrg: plan.orgMismatch.bound.orgId, connectedOrg: plan.orgMismatch.connected.orgId },
          plan.orgMismatch.message,
        );
      } else if (plan.org) {
        orgMismatch.set({ bound_org: plan.org.orgId, connected_org: plan.org.orgId }, 0);
      }
      if (plan.apiUsage) {
        apiUsage.set({ kind: 'used' }, plan.apiUsage.used);
        apiUsage.set({ kind: 'limit' }, plan.apiUsage.limit);
      }
    }),
    pullChanges: counted('pullChanges', activities.pullChanges, ({ object }, r) => {
      rowsPulled.inc({ object }, r.rowsPulled);
      rowsDeleted.inc({ object }, r.rowsDeleted);
    }),
    pushChanges: counted('pushChanges', activities.pushChanges, ({ object }, r) => {
      rowsPushed.inc({ object }, r.rowsPushed);
      pushFailures.inc({ object }, r.rowsFailed);
      backlog.set({ object }, r.backlog);
    }),
    startInitialCopy: counted('startInitialCopy', activities.startInitialCopy, () => undefined),
    copyObjectPages: (() => {
      // Progress reports cumulative rows; count only what each call added.
      const lastSeen = new Map<string, number>();
      return counted('copyObjectPages', activities.copyObjectPages, ({ object }, p) => {
        const delta = p.rowsCopied - (lastSeen.get(object) ?? 0);
        rowsCopied.inc({ object }, delta >= 0 ? delta : p.rowsCopied); // negative: the copy restarted
        lastSeen.set(object, p.done ? 0 : p.rowsCopied);
      });
    })(),
  };
}

/** Maps the SDK's log levels onto the pino logger, so worker logs share one format. */
class PinoLogger extends DefaultLogger {
  constructor(level: LogLevel) {
    const sdkLog = logger.child({ component: 'temporal-sdk' });
    super(level, ({ level: l, message, meta }) => {
      const method = l === 'ERROR' ? 'error' : l === 'WARN' ? 'warn' : l === 'INFO' ? 'info' : 'debug';
      sdkLog[method](meta ?? {}, message);
    });
  }
}

/**
 * Installs the process's Temporal runtime: SDK logs through pino, runtime metrics exported in
 * Prometheus format on `temporalMetricsAddress` (loopback; `serveMetrics` relays them). Call once,
 * before the first connection.
 */
export function installRuntime(options: { temporalMetricsAddress?: string; logLevel?: LogLevel } = {}): void {
  Runtime.install({
    logger: new PinoLogger(options.logLevel ?? 'WARN'),
    telemetryOptions: options.temporalMetricsAddress
      ? { metrics: { prometheus: { bindAddress: options.temporalMetricsAddress } } }
      : undefined,
  });
}

/** Serves `GET /metrics`: Tandem's metrics, then the Temporal runtime's relayed from `temporalMetricsUrl`. */
export async function serveMetrics(options: {
  port: number;
  host?: string;
  temporalMetricsUrl?: string;
}): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith('/metrics')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    void (async () => {
      let temporal = '';
      if (options.temporalMetricsUrl) {
        temporal = await fetch(options.temporalMetricsUrl)
          .then((r) => r.text())
          .catch((error: Error) => `# Temporal runtime metrics unavailable: ${error.message}\n`);
      }
      res.writeHead(200, { 'content-type': registry.contentType }).end(`${await registry.metrics()}\n${temporal}`);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${options.host ?? '127.0.0.1'}:${port}/metrics`, server };
}
