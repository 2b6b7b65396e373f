import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep the Temporal worker's own logs to warnings so test output stays readable.
// Imported for its side effect by every test file that runs a worker; the Runtime is per process.
Runtime.install({ logger: new DefaultLogger('WARN') });
