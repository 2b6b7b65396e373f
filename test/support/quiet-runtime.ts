import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep the Temporal worker's own logs to warnings so test output stays readable. Imported for its
// side effect by every test file that runs a worker; the Runtime is per process, and a file that
// installed its own first (to export metrics, say) keeps it.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed by the test file
}
