/**
 * Pushing local changes of two-way objects to Salesforce. The outbox (rows changed in PostgreSQL,
 * waiting for Salesforce) arrives with the two-way issue; until then there is nothing to push, and the
 * honest answer for a two-way object is zero rows, zero backlog, zero calls.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { PushResult } from '../shared';
import { definitionOf, type ActivityContext } from './context';
import { toActivityFailure } from './errors';

/** Pushes `object`'s pending outbox rows; refuses objects that sync from Salesforce only. */
export async function pushChanges(ctx: ActivityContext, input: { object: string }): Promise<PushResult> {
  try {
    const def = definitionOf(ctx, input.object);
    if (def.direction !== 'two-way') {
      throw ApplicationFailure.create({ message: `${def.name}: pushChanges refused: ${def.name} syncs from Salesforce only`, type: 'NotTwoWay', nonRetryable: true });
    }
    return { object: def.name, rowsPushed: 0, rowsFailed: 0, backlog: 0, apiCalls: 0 };
  } catch (error) {
    throw toActivityFailure(error, { object: input.object, call: 'pushChanges' });
  }
}
