/**
 * Checks text values against their Salesforce field length in UTF-16 units before sending
 * (src/sync/string-length.ts): a value PostgreSQL's varchar accepted but Salesforce would refuse becomes
 * a sync error STRING_TOO_LONG naming the field and both lengths, and the row is not sent.
 */
import type { ActivityContext } from '../activities/context';
import { utf16Overflow } from '../sync/string-length';
import { refuseBeforeSend } from './refuse-row';
import type { PushPlan, RowWork, Tally } from './types';

/** Records a sync error for each row with a value over its field's UTF-16 length; returns the others. */
export async function checkStringLengths(
  ctx: ActivityContext,
  plan: PushPlan,
  work: RowWork[],
  operation: 'insert' | 'update',
  tally: Tally,
): Promise<RowWork[]> {
  const ok: RowWork[] = [];
  for (const w of work) {
    const over = Object.entries(w.send).flatMap(([column, value]) => {
      const spec = plan.byColumn.get(column);
      const overflow = spec ? utf16Overflow(spec.sqlType, value) : null;
      return overflow && spec ? [{ field: spec.field, ...overflow }] : [];
    });
    if (over.length === 0) {
      ok.push(w);
      continue;
    }
    const message = over
      .map(
        (o) =>
          `${o.field}: ${o.utf16Units} UTF-16 units (${o.codePoints} characters) exceed Salesforce's limit of ${o.limit}`,
      )
      .join('; ');
    await refuseBeforeSend(ctx, plan, w, operation, tally, {
      code: 'STRING_TOO_LONG',
      message,
      fields: over.map((o) => o.field),
    });
  }
  return ok;
}
