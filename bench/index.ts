// `npm run bench -- <scenario> [args…]`: runs one benchmark scenario. Each scenario module
// exports `run(args)`; adding a scenario is one line in the table below.

/** A benchmark scenario: runs, prints its own figures, and resolves when done. */
export interface Scenario {
  run(args: string[]): Promise<void>;
}

const scenarios: Record<string, () => Promise<Scenario>> = {
  cli: () => import('./cli'),
  emulator: () => import('./emulator'),
  'emulator-persist': () => import('./emulator-persist'),
  pull: () => import('./pull'),
  push: () => import('./push'),
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const load = name ? scenarios[name] : undefined;
  if (!load) {
    console.error(`usage: npm run bench -- <scenario> [args]\nscenarios: ${Object.keys(scenarios).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  await (await load()).run(args);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
