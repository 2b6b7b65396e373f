// REQUEST_LIMIT_EXCEEDED during a cycle's pull fails the activity at once (non-retryable, the
// limit named), so the workflow records it as the object's last pull or push outcome — what `status`
// shows — instead of the activity waiting out a 15-minute retry no one can see.
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from '../push/support';

const db = useTestDatabase();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('API limit used up', () => {
  it('fails the pull and the push at once with REQUEST_LIMIT_EXCEEDED, for the cycle outcome to show', async () => {
    await org.sql(`INSERT INTO salesforce.lead (lastname, company) VALUES ('Limited', 'L')`);
    await org.admin('PUT', '/api-limit', { dailyLimit: 1000, used: 1000 });
    try {
      const pull = await failureOf(org.activities.pullChanges({ object: 'Lead' }));
      expect(pull.nonRetryable).toBe(true);
      expect(pull.message).toMatch(/REQUEST_LIMIT_EXCEEDED|limit/i);
      expect(pull.message).toMatch(/API limit is used up; the next cycle tries again/);
      // The push already ends its cycle with the refusal in its outcome; the change stays pending.
      expect(await org.activities.pushChanges({ object: 'Lead' })).toMatchObject({
        rowsPushed: 0,
        interrupted: expect.stringMatching(/REQUEST_LIMIT_EXCEEDED/),
      });
    } finally {
      await org.admin('PUT', '/api-limit', { dailyLimit: 1_000_000, used: 0 });
    }
  });
});
