#!/usr/bin/env node
// The `tandem` command (`npx tandem …`). Runs the TypeScript CLI from a JavaScript bundle that esbuild
// (the compiler tsx itself uses) builds into node_modules/.cache and rebuilds when a source file it
// came from changes: loading a few prebuilt files instead of compiling and hooking every import
// through tsx cuts the CPU time of each call by more than half (`npm run bench -- cli`).
// When the bundle cannot be built or written, it falls back to tsx.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(repoRoot, 'src', 'cli.ts');
// One cache per checkout: node_modules may be shared by several worktrees.
const cacheDir = join(
  repoRoot,
  'node_modules',
  '.cache',
  'tandem-cli',
  createHash('sha1').update(repoRoot).digest('hex').slice(0, 12),
);
const manifestPath = join(cacheDir, 'manifest.json');

/** True when the bundle exists and no source file it was built from changed since. */
function fresh() {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    return Object.entries(manifest.inputs).every(
      ([file, mtimeMs]) => statSync(join(repoRoot, file)).mtimeMs === mtimeMs,
    );
  } catch {
    return false;
  }
}

async function build() {
  const esbuild = await import('esbuild');
  const staging = `${cacheDir}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { cli: entry },
    bundle: true,
    splitting: true, // the database commands' modules load only when one runs
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        // Modules that locate files beside themselves (new URL('./x', import.meta.url)) keep their own URL.
        name: 'keep-import-meta-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, (args) => ({
            contents: readFileSync(args.path, 'utf8').replaceAll(
              'import.meta.url',
              JSON.stringify(pathToFileURL(args.path).href),
            ),
            loader: 'ts',
          }));
        },
      },
    ],
  });
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((file) => [relative(repoRoot, join(process.cwd(), file)), 0]),
  );
  for (const file of Object.keys(inputs)) inputs[file] = statSync(join(repoRoot, file)).mtimeMs;
  writeFileSync(join(staging, 'manifest.json'), JSON.stringify({ inputs }));
  mkdirSync(dirname(cacheDir), { recursive: true });
  rmSync(cacheDir, { recursive: true, force: true });
  renameSync(staging, cacheDir);
}

let bundled = fresh();
if (!bundled) {
  try {
    await build();
    bundled = true;
  } catch {
    bundled = false; // e.g. a read-only node_modules: compile on the fly instead
  }
}
if (bundled) {
  await import(pathToFileURL(join(cacheDir, 'cli.mjs')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
