import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/temporal/dev-server';
import { useTestDatabase } from '../support/database';
import { eventually } from '../support/temporal';

const repoRoot = new URL('../../', import.meta.url).pathname;

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm start` as an operator runs it (through npm), with its output collected. */
function npmStart(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  output: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn('npm', ['start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let all = '';
  child.stdout!.on('data', (chunk: Buffer) => ((stdout += chunk), (all += chunk)));
  child.stderr!.on('data', (chunk: Buffer) => (all += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => all, stdout: () => stdout, exited };
}

const withinSeconds = <T>(p: Promise<T>, seconds: number): Promise<T | 'timeout'> =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), seconds * 1000))]);

describe('npm start as a process', () => {
  const db = useTestDatabase();

  it('prints a bad config as its message, without a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
    writeFileSync(join(dir, 'bad.yaml'), 'sync:\n  deletePolicy: sometimes\n');
    const run = npmStart({ ...process.env, TANDEM_CONFIG: join(dir, 'bad.yaml'), TANDEM_STATE_DIR: dir });
    expect(await withinSeconds(run.exited, 60)).toBe(2);
    expect(run.output()).toContain('Tandem could not start: Invalid configuration');
    expect(run.output()).toContain('sync.deletePolicy: Invalid option: expected one of "soft"|"hard"');
    expect(run.output()).not.toMatch(/\n\s+at /);
  }, 90_000);

  it('runs its printed commands as printed, stops on SIGTERM to npm, and after a crash stops the dev server it left', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tandem-state-'));
    const workflowId = `proc-${randomBytes(4).toString('hex')}`;
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('SF_') && key !== 'TEMPORAL_ADDRESS'),
    );
    const env = async (): Promise<NodeJS.ProcessEnv> => ({
      ...base,
      DATABASE_URL: db.current.url,
      TANDEM_STATE_DIR: stateDir,
      TANDEM_TEMPORAL_PORT: String(await freePort()),
      TANDEM_UI_PORT: String(await freePort()),
      TANDEM_METRICS_PORT: String(await freePort()), // the metrics server on: it must not keep the process alive
      TANDEM_WORKFLOW_ID: workflowId,
      TANDEM_TASK_QUEUE: workflowId,
      LOG_LEVEL: 'warn',
    });
    const runtime = (): { pid: number; devServerPid: number } =>
      JSON.parse(readFileSync(join(stateDir, 'runtime.json'), 'utf8'));
    const leftovers: number[] = [];
    try {
      // 1. First run: the banner's commands work when pasted into a shell.
      const first = npmStart(await env());
      await eventually(() => first.stdout().includes('Ctrl-C stops everything.'), 120_000, 200);
      const { pid: firstPid, devServerPid: firstDevServer } = runtime();
      leftovers.push(firstPid, firstDevServer);
      expect(alive(firstDevServer)).toBe(true);
      const commands = /Watch it:\n((?: {2}.*\n)+)/
        .exec(first.stdout())![1]
        .trim()
        .split('\n')
        .map((l) => l.trim());
      expect(commands.length).toBeGreaterThanOrEqual(3);
      for (const command of commands) {
        const result = await promisify(execFile)('bash', ['-c', command], {
          cwd: repoRoot,
          env: { ...base, TANDEM_STATE_DIR: stateDir },
        }).catch((e: Error) => e);
        expect(result, `${command}: ${String(result)}`).not.toBeInstanceOf(Error);
      }

      // 2. A crash (SIGKILL) leaves the dev server behind; the next start stops it and runs its own.
      process.kill(firstPid, 'SIGKILL');
      await withinSeconds(first.exited, 30);
      expect(alive(firstDevServer)).toBe(true);
      const second = npmStart(await env());
      await eventually(() => second.stdout().includes('Ctrl-C stops everything.'), 120_000, 200);
      expect(second.stdout()).toContain(
        `Stopping the Temporal dev server (pid ${firstDevServer}) that an earlier npm start (pid ${firstPid}) left running`,
      );
      expect(alive(firstDevServer)).toBe(false);
      const { pid: secondPid, devServerPid: secondDevServer } = runtime();
      leftovers.push(secondPid, secondDevServer);

      // 3. SIGTERM to the npm process (what docker stop and process managers send) stops everything.
      second.child.kill('SIGTERM');
      expect(await withinSeconds(second.exited, 60)).not.toBe('timeout');
      await eventually(() => !alive(secondPid) && !alive(secondDevServer), 30_000, 200);
      expect(second.stdout()).toContain('Stopped.');
    } finally {
      for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 300_000);
});
