/**
 * An embedded PostgreSQL for `npm start` on a machine without one: PGlite (PostgreSQL compiled to
 * WebAssembly, in this process) served over the PostgreSQL wire protocol by pglite-socket on a loopback
 * port, so Tandem's pg pool, migrations and triggers run against it unchanged. Its data lives in
 * `dataDir` and survives restarts.
 *
 * What differs from a real server (test/db/embedded.test.ts, test/activities/embedded.test.ts):
 * - One backend serves every connection: statements run one at a time, and while one connection is
 *   inside a transaction the others wait for it (pglite-socket queues them). Correct, but no parallelism.
 * - COPY FROM STDIN is not supported (the connection loses protocol synchronisation); src/db/copy.ts
 *   detects PGlite and stages rows with multi-row INSERTs instead.
 * - Connections share one session: advisory locks never block (the same session already holds them),
 *   `pg_terminate_backend` and `pg_stat_activity` describe the single backend, and there is one database
 *   (the URL's database name is ignored).
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Options of `startEmbeddedPostgres`. */
export interface EmbeddedPostgresOptions {
  /** Directory holding the database files; created when missing, reused when it holds a database. */
  dataDir: string;
  /** Loopback port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Connections accepted at once. pglite-socket refuses the next one outright, so this must exceed every
   * pool's `max` together (the worker's pool is 10 by default).
   */
  maxConnections?: number;
}

/** A running embedded PostgreSQL. */
export interface EmbeddedPostgres {
  /** Connection string for pg, e.g. `postgres://postgres@127.0.0.1:54321/postgres`. */
  url: string;
  /** Stops accepting connections, closes the open ones and closes the database (flushing it to `dataDir`). */
  stop(): Promise<void>;
}

/** Headroom over the worker pool's 10 connections for the CLI, status queries and a second pool. */
const DEFAULT_MAX_CONNECTIONS = 40;

/** Thrown when PGlite cannot open `dataDir` or the port cannot be bound; the message names both. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

/**
 * Opens (or creates) the PGlite database in `dataDir` and serves it on 127.0.0.1. Resolves once it
 * accepts connections; `npm start` calls it when no PostgreSQL answers at the configured URL and uses
 * `url` as the database URL.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  let db: PGlite;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    db = await PGlite.create(options.dataDir);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `cannot open the embedded database in ${options.dataDir}: ${(error as Error).message}`,
    );
  }
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close().catch(() => undefined);
    throw new EmbeddedPostgresError(
      `cannot serve the embedded database on 127.0.0.1:${options.port ?? 0}: ${(error as Error).message}`,
    );
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    stop() {
      stopped ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return stopped;
    },
  };
}
