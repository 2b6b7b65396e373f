// Reads workflow histories the way an operator would, with the `temporal` CLI (`workflow show -o
// json`), every run of a workflow id (continue-as-new makes several), so tests can scan what
// Temporal's server actually stores.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Run ids of every execution with this workflow id, newest first. */
export async function runIds(cli: string, address: string, workflowId: string): Promise<string[]> {
  const { stdout } = await run(
    cli,
    [
      'workflow',
      'list',
      '--address',
      address,
      '--query',
      `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'`,
      '-o',
      'json',
    ],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const parsed = JSON.parse(stdout || '[]') as { execution: { runId: string } }[];
  return parsed.map((e) => e.execution.runId);
}

/** The full history of every run of `workflowId`, as the JSON text `temporal workflow show -o json` prints. */
export async function historyText(cli: string, address: string, workflowId: string): Promise<string[]> {
  const texts: string[] = [];
  for (const runId of await runIds(cli, address, workflowId)) {
    const { stdout } = await run(
      cli,
      ['workflow', 'show', '--address', address, '-w', workflowId, '-r', runId, '-o', 'json'],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    texts.push(stdout);
  }
  return texts;
}

/** Every payload object (`{metadata, data}`) anywhere in a history JSON document. */
export function payloadsIn(history: unknown): { metadata?: Record<string, string>; data?: string }[] {
  const found: { metadata?: Record<string, string>; data?: string }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (
      record.metadata &&
      typeof record.metadata === 'object' &&
      !Array.isArray(record.metadata) &&
      'encoding' in (record.metadata as object)
    ) {
      found.push(record as { metadata?: Record<string, string>; data?: string });
      return;
    }
    Object.values(record).forEach(visit);
  };
  visit(history);
  return found;
}

/** Decodes a base64 metadata value. */
export function b64(value: string | undefined): string {
  return value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
}
