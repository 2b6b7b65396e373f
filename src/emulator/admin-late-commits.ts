// Late commits: writes whose SystemModstamp lies in the past when they become visible, as when a
// long Salesforce transaction commits — its rows carry the transaction's start time, so a poller
// whose watermark already passed that time misses them unless it re-reads with an overlap.
// Tests arm a plan through the admin API; the store asks it for a stamp on every record write.
import { z } from 'zod';

/** The body of `POST /__emulator/late-commits`. */
export const lateCommitSpecSchema = z
  .object({
    /** How far in the past the write's SystemModstamp (and LastModifiedDate) lands. */
    lagSeconds: z
      .number()
      .int()
      .positive()
      .max(30 * 24 * 3600),
    /** How many writes to delay (default 1); each record written counts once. */
    count: z.number().int().positive().default(1),
    /** Only writes to this object (any case). */
    object: z.string().min(1).optional(),
    /** Only writes to this record (15- or 18-character id; inserts have no id yet). */
    recordId: z.string().min(15).max(18).optional(),
  })
  .strict();

/** A late-commit spec as accepted by {@link LateCommitPlan.arm}. */
export type LateCommitSpec = z.input<typeof lateCommitSpecSchema>;

/** An armed late commit and how many writes it still applies to. */
export interface LateCommitRule {
  readonly id: string;
  readonly lagSeconds: number;
  readonly object: string | null;
  readonly recordId: string | null;
  remaining: number;
  applied: number;
}

/** What the store knows about a record write when it asks for a stamp. */
export interface WriteTarget {
  /** Object API name. */
  readonly object: string | undefined;
  /** The record's id, for writes to existing records. */
  readonly id: string | undefined;
}

/** The armed late commits, consulted once per record write. */
export class LateCommitPlan {
  private rules: LateCommitRule[] = [];
  private nextId = 1;

  /** Validates and arms a spec; throws a ZodError naming the bad field when invalid. */
  arm(spec: LateCommitSpec): LateCommitRule {
    const parsed = lateCommitSpecSchema.parse(spec);
    const rule: LateCommitRule = {
      id: `late-${this.nextId++}`,
      lagSeconds: parsed.lagSeconds,
      object: parsed.object ?? null,
      // Compare on the 15-character prefix so either id form matches.
      recordId: parsed.recordId ?? null,
      remaining: parsed.count,
      applied: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  /** Armed rules, spent ones included. */
  list(): readonly LateCommitRule[] {
    return this.rules;
  }

  /** Disarms everything. */
  clear(): void {
    this.rules = [];
  }

  /**
   * The stamp (epoch seconds) a write to `target` at `nowSeconds` must carry, or undefined for
   * an ordinary write. Consumes one use of the first matching rule.
   */
  stampFor(target: WriteTarget, nowSeconds: number): number | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.object && rule.object.toLowerCase() !== target.object?.toLowerCase()) continue;
      if (rule.recordId && rule.recordId.slice(0, 15) !== target.id?.slice(0, 15)) continue;
      rule.remaining--;
      rule.applied++;
      return nowSeconds - rule.lagSeconds;
    }
    return undefined;
  }
}
