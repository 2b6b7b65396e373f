/**
 * The codec server for Temporal's Web UI and CLI (`npm run codec-server`): Temporal's remote codec
 * protocol, `POST /encode` and `POST /decode` with a body `{"payloads":[{"metadata":{k:base64},
 * "data":base64}]}` answered in the same shape, so the UI ("Remote Codec Endpoint" in settings, or
 * `temporal server start-dev --ui-codec-endpoint`) and `temporal workflow show --codec-endpoint` show
 * decrypted payloads while Temporal's server only ever stores ciphertext. Keys come from the same
 * environment as the worker (src/security/data-converter.ts). Listens on loopback unless told
 * otherwise; answers CORS preflights for the UI's origin only; with TANDEM_CODEC_TOKEN set, every
 * call must carry `Authorization: Bearer <token>` (the UI can forward its own access token instead).
 * Without a token it refuses to listen beyond loopback and answers only a loopback Host header, so
 * another machine, or a web page rebinding its DNS name to 127.0.0.1, cannot decrypt through it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { logger } from '../logger';
import { payloadCodecFromEnv } from './data-converter';

/** Options of {@link startCodecServer}. */
export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Default 127.0.0.1: payloads decrypted here must not be served to the network by accident. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Origins allowed by CORS, e.g. the Web UI's `http://localhost:8233`. */
  corsOrigins: string[];
  /**
   * When set, requests must present `Authorization: Bearer <token>`. Without one the server binds
   * only to loopback and answers only requests whose Host header names loopback.
   */
  token?: string;
}

/** Thrown at start when the codec server would serve decryption to the network without a token. */
export class CodecServerConfigError extends Error {
  override readonly name = 'CodecServerConfigError';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * True when the Host header names loopback (any port). A browser sends the name it resolved, so a page
 * that rebinds its own DNS name to 127.0.0.1 (DNS rebinding) still sends its own name and is refused
 * (https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Host).
 */
export function isLoopbackHost(header: string | undefined): boolean {
  if (!header) return false;
  const name = header.startsWith('[') ? header.slice(1, header.indexOf(']')) : header.replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(name.toLowerCase());
}

/** A running codec server. */
export interface CodecServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** Remote codec payloads are protobuf JSON: bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

function fromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  return { metadata, data: p.data === undefined ? undefined : new Uint8Array(Buffer.from(p.data, 'base64')) };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Starts the codec server (see the module comment). */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const log = logger.child({ component: 'codec-server' });
  const send = (res: ServerResponse, status: number, body?: unknown): void => {
    res.statusCode = status;
    if (body === undefined) return void res.end();
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    if (origin && options.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Vary', 'Origin');
    }
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    if (req.method === 'OPTIONS') return send(res, origin && options.corsOrigins.includes(origin) ? 204 : 403);
    if (path !== '/encode' && path !== '/decode')
      return send(res, 404, { message: 'not found: use POST /encode or POST /decode' });
    if (req.method !== 'POST') return send(res, 405, { message: 'use POST' });
    if (options.token && !tokenMatches(options.token, req.headers.authorization))
      return send(res, 401, { message: 'missing or wrong bearer token' });
    if (!options.token && !isLoopbackHost(req.headers.host))
      return send(res, 403, { message: 'without TANDEM_CODEC_TOKEN only requests to a loopback Host are answered' });
    let payloads: Payload[];
    try {
      const body = JSON.parse(await readBody(req)) as { payloads?: unknown };
      if (!Array.isArray(body.payloads)) return send(res, 400, { message: 'expected {"payloads": [...]}' });
      payloads = (body.payloads as JsonPayload[]).map(fromJson);
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400;
      return send(res, status, {
        message: status === 413 ? 'request body too large' : 'request body is not valid JSON',
      });
    }
    try {
      const result = path === '/encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      send(res, 200, { payloads: result.map(toJson) });
    } catch (error) {
      // Decryption errors name the key id, never key material or plaintext.
      send(res, 400, { message: error instanceof Error ? error.message : String(error) });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'codec request failed');
      if (!res.headersSent) send(res, 500, { message: 'internal error' });
    });
  });
  const host = options.host ?? '127.0.0.1';
  if (!options.token && !LOOPBACK_HOSTS.has(host)) {
    throw new CodecServerConfigError(
      `the codec server decrypts for whoever reaches it: listening on ${host} needs TANDEM_CODEC_TOKEN`,
    );
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  const codec = payloadCodecFromEnv();
  if (!codec) throw new Error('TANDEM_PAYLOAD_KEY is not set: the codec server needs the same keys as the worker');
  const corsOrigins = (process.env.TANDEM_CODEC_CORS_ORIGINS ?? 'http://localhost:8233,http://127.0.0.1:8233')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const running = await startCodecServer({
    codec,
    host: process.env.TANDEM_CODEC_HOST ?? '127.0.0.1',
    port: Number(process.env.TANDEM_CODEC_PORT ?? 8888),
    corsOrigins,
    token: process.env.TANDEM_CODEC_TOKEN || undefined,
  });
  logger.info(
    { url: running.url, corsOrigins, keyId: codec.keyId, auth: Boolean(process.env.TANDEM_CODEC_TOKEN) },
    'codec server listening',
  );
  console.log(
    `Codec server on ${running.url} (key ${codec.keyId}). In the Web UI: Settings → Data Encoder → Remote Codec Endpoint = ${running.url}`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void running.stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    logger.fatal({ err: error instanceof Error ? error.message : String(error) }, 'codec server failed');
    process.exitCode = 1;
  });
}
