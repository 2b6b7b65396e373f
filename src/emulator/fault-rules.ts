// The fault rule engine: which request (or which record inside a collection or Bulk ingest
// job) gets which failure. Pure decision logic; fault-middleware.ts turns a decision into bytes
// on the wire. Rules are matched in the order they were added and the first one that fires wins,
// so a test can stack "slow everything" behind "503 the next query".
import { z } from 'zod';
import { seededRandom, type Random } from './fault-rng';

/**
 * The failures the emulator can inject, each standing for something real Salesforce does:
 * - `server-unavailable`: HTTP 503 SERVER_UNAVAILABLE (maintenance, overloaded pod);
 * - `internal-error`: HTTP 500 UNKNOWN_EXCEPTION;
 * - `unable-to-lock-row`: UNABLE_TO_LOCK_ROW, per record in sObject Collections and Bulk ingest
 *   results, or a 400 on any other request;
 * - `request-limit-exceeded`: HTTP 403 REQUEST_LIMIT_EXCEEDED (daily or concurrent limit);
 * - `invalid-session`: HTTP 401 INVALID_SESSION_ID (session expired or revoked);
 * - `slow`: the request is answered normally after `delayMs`;
 * - `drop-connection`: the TCP socket is destroyed without any response.
 */
export const faultKinds = [
  'server-unavailable',
  'internal-error',
  'unable-to-lock-row',
  'request-limit-exceeded',
  'invalid-session',
  'slow',
  'drop-connection',
] as const;

/** One of {@link faultKinds}. */
export type FaultKind = (typeof faultKinds)[number];

// Long enough for a client timeout test, short enough that a forgotten rule cannot hang a suite.
const DEFAULT_DELAY_MS = 2_000;
const MAX_DELAY_MS = 120_000;

/** The body of `POST /__emulator/faults`: what to inject, where, and how often. */
export const faultRuleSpecSchema = z
  .object({
    kind: z.enum(faultKinds),
    /**
     * Path pattern matched against the whole request path (no query string); `*` matches any run
     * of characters, including `/`. Example: `/services/data/*\/jobs/query*`.
     */
    path: z.string().min(1).default('*'),
    /** HTTP method to match; omitted or `*` matches any. */
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']))
      .default('*'),
    /** Chance that a matching request (or record) is faulted; 1 = always. */
    probability: z.number().min(0).max(1).default(1),
    /** Fire at most this many times, then stay inert (still listed, with `fired`). */
    count: z.number().int().positive().optional(),
    /** Let this many matching requests (or records) through before the rule may fire. */
    skip: z.number().int().min(0).default(0),
    /** For `slow`: how long to hold the request before handling it. */
    delayMs: z.number().int().min(0).max(MAX_DELAY_MS).optional(),
  })
  .strict();

/** A parsed rule specification, as accepted by {@link FaultEngine.add}. */
export type FaultRuleSpec = z.input<typeof faultRuleSpecSchema>;

/** A rule the engine holds, with its id and how often it has matched and fired. */
export interface FaultRule {
  readonly id: string;
  readonly kind: FaultKind;
  readonly path: string;
  readonly method: string;
  readonly probability: number;
  readonly count: number | undefined;
  readonly skip: number;
  readonly delayMs: number;
  /** Matching requests (or records) seen so far, fired or not. */
  matched: number;
  /** Times the rule injected its fault. */
  fired: number;
}

/** What to do to one request; `undefined` from the engine means "nothing". */
export interface FaultDecision {
  readonly kind: FaultKind;
  readonly ruleId: string;
  readonly delayMs: number;
}

/** Where a request's records are judged one by one instead of the request as a whole. */
export type RecordLevelTest = (method: string, path: string) => boolean;

/**
 * sObject Collections writes and Bulk ingest uploads report UNABLE_TO_LOCK_ROW per record, so a
 * lock rule matching them is consulted by the record loop (recordFault), not by the middleware.
 */
export const isRecordLevelEndpoint: RecordLevelTest = (method, path) =>
  (/\/composite\/sobjects(\/|$)/.test(path) && method !== 'GET') || /\/jobs\/ingest\/[^/]+\/batches\/?$/.test(path);

/** Compiles a `*` glob into an anchored regular expression (all other characters literal). */
export function compilePathPattern(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

interface CompiledRule {
  readonly rule: FaultRule;
  readonly pathPattern: RegExp;
}

/** Called once per injected fault, so counters can tell tests what happened. */
export type FaultListener = (kind: FaultKind, rule: FaultRule) => void;

/**
 * Holds the active fault rules and decides, deterministically for a given seed, which requests
 * and records they hit.
 */
export class FaultEngine {
  private rules: CompiledRule[] = [];
  private nextId = 1;
  private random: Random;

  constructor(
    seed = 1,
    private readonly onFault: FaultListener = () => {},
  ) {
    this.random = seededRandom(seed);
  }

  /** Validates and adds a rule; throws a ZodError naming the bad field when the spec is invalid. */
  add(spec: FaultRuleSpec): FaultRule {
    const parsed = faultRuleSpecSchema.parse(spec);
    const rule: FaultRule = {
      id: `fault-${this.nextId++}`,
      kind: parsed.kind,
      path: parsed.path,
      method: parsed.method,
      probability: parsed.probability,
      count: parsed.count,
      skip: parsed.skip,
      delayMs: parsed.delayMs ?? DEFAULT_DELAY_MS,
      matched: 0,
      fired: 0,
    };
    this.rules.push({ rule, pathPattern: compilePathPattern(parsed.path) });
    return rule;
  }

  /** The rules in evaluation order (live objects: `matched` and `fired` keep counting). */
  list(): readonly FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** Removes one rule; returns false when no rule has that id. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule and, when a seed is given, restarts the random sequence from it. */
  clear(seed?: number): void {
    this.rules = [];
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  /** Restarts the random sequence, so the same rules hit the same requests again. */
  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /**
   * Decides the fault for a whole request, or `undefined`. Lock rules are skipped on record-level
   * endpoints, where {@link recordFault} applies them record by record instead.
   */
  decideRequest(
    method: string,
    path: string,
    recordLevel: RecordLevelTest = isRecordLevelEndpoint,
  ): FaultDecision | undefined {
    const perRecord = recordLevel(method, path);
    for (const compiled of this.rules) {
      if (perRecord && compiled.rule.kind === 'unable-to-lock-row') continue;
      if (this.fires(compiled, method, path)) return this.decision(compiled.rule);
    }
    return undefined;
  }

  /**
   * Decides whether one record of a collection write or Bulk ingest job fails with
   * UNABLE_TO_LOCK_ROW. `path` and `method` are those of the request that carried the records
   * (for Bulk ingest: `PUT …/jobs/ingest/{id}/batches`).
   */
  recordFault(method: string, path: string): boolean {
    for (const compiled of this.rules) {
      if (compiled.rule.kind !== 'unable-to-lock-row') continue;
      if (this.fires(compiled, method, path)) {
        this.decision(compiled.rule);
        return true;
      }
    }
    return false;
  }

  private fires(compiled: CompiledRule, method: string, path: string): boolean {
    const { rule } = compiled;
    if (rule.count !== undefined && rule.fired >= rule.count) return false;
    if (rule.method !== '*' && rule.method !== method.toUpperCase()) return false;
    if (!compiled.pathPattern.test(path)) return false;
    rule.matched++;
    if (rule.matched <= rule.skip) return false;
    // Draw only for fractional probabilities, so count-only rules do not shift the sequence.
    return rule.probability >= 1 || this.random() < rule.probability;
  }

  private decision(rule: FaultRule): FaultDecision {
    rule.fired++;
    this.onFault(rule.kind, rule);
    return { kind: rule.kind, ruleId: rule.id, delayMs: rule.delayMs };
  }
}
