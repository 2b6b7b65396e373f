import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Paths of the Temporal CLI and time-skipping test server, as resolved by scripts/install-temporal.sh. */
export interface TemporalBinaries {
  cli: string;
  testServer: string;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the installer (quick when already installed) and reads the paths it resolved. */
export function ensureTemporalBinaries(): TemporalBinaries {
  execFileSync('bash', ['scripts/install-temporal.sh'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const env = Object.fromEntries(
    readFileSync(`${repoRoot}.tools/temporal-paths.env`, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { cli: env.TEMPORAL_CLI, testServer: env.TEMPORAL_TEST_SERVER };
}
