import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_SYNC_OBJECTS, TANDEM_ORG } from '../../src/shared';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { continuousSyncWorkflow } from '../../src/workflows';
import { statusQuery } from '../../src/workflows/messages';
import { FakeSync } from '../support/fake-activities';
import { eventually, useTemporal } from '../support/temporal';

const ALL = DEFAULT_SYNC_OBJECTS.map((o) => o.name);

// A dev server with its Web UI on (the suite's is headless), and Debian's Chromium driven by Playwright.
let server: DevServer;
let browser: Browser;
beforeAll(async () => {
  server = await startDevServer({ cli: inject('temporalCli'), uiPort: await freePort() });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // No network here: keep Chromium from reaching for Google's services at every start.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the Temporal Web UI', () => {
  const temporal = useTemporal(() => server.address);

  it('lists the running sync and shows its summary, current details and activity summaries', async () => {
    const fake = new FakeSync(ALL);
    const taskQueue = temporal.current.taskQueue();
    const workflowId = `ui-${taskQueue}`;
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      const handle = await temporal.current.client.workflow.start(continuousSyncWorkflow, {
        taskQueue,
        workflowId,
        args: [{ pauseBetweenCycles: '1 hour' }],
        staticSummary: 'Tandem continuous sync of acme',
        typedSearchAttributes: [{ key: TANDEM_ORG, value: 'acme' }],
      });
      await eventually(async () => (await handle.query(statusQuery)).phase === 'waiting');

      const page = await browser.newPage();
      try {
        await page.goto(`${server.uiUrl}/namespaces/default/workflows`);
        // The list shows the running workflow; its id links to the execution's page.
        const link = page.getByRole('link', { name: workflowId, exact: true });
        await link.waitFor({ timeout: 30_000 });
        await link.click();
        // The timeline names each activity by its summary.
        await page.locator('text="pushChanges • push Lead" >> visible=true').first().waitFor({ timeout: 30_000 });
        await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/tandem-web-ui.png`, fullPage: true });
        // The workflow's own summary and the cycle's current details are under "User Metadata".
        await page.getByText('User Metadata', { exact: true }).click();
        // The UI renders this Markdown inside sandboxed frames, so look in every frame.
        const inSomeFrame = async (text: string | RegExp): Promise<boolean> => {
          for (const frame of page.frames()) if ((await frame.getByText(text).count()) > 0) return true;
          return false;
        };
        await eventually(() => inSomeFrame('Tandem continuous sync of acme'), 30_000, 250);
        await eventually(() => inSomeFrame(/Cycle 1/), 30_000, 250);
        await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/tandem-web-ui-metadata.png`, fullPage: true });
        expect(await page.getByText('RUNNING').count()).toBeGreaterThan(0);
      } finally {
        await page.close();
      }
      await handle.terminate();
    });
  }, 120_000);
});
