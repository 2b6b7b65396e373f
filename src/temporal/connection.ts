/**
 * How every Tandem process reaches Temporal: address and namespace from the config, and — for a
 * Temporal cluster or Temporal Cloud — mTLS or an API key from the environment, under the same
 * variable names the `temporal` CLI reads, so one environment serves both.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { TandemConfig } from '../config';

/** Thrown when a TLS file named in the environment cannot be read; names the variable and the path. */
export class TemporalConnectionConfigError extends Error {
  override readonly name = 'TemporalConnectionConfigError';
}

/** Options for `Connection.connect` and `NativeConnection.connect`. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

function readFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TemporalConnectionConfigError(
      `${variable}=${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/**
 * Builds the connection options:
 * - TEMPORAL_TLS_CLIENT_CERT_PATH + TEMPORAL_TLS_CLIENT_KEY_PATH: mTLS client certificate;
 * - TEMPORAL_TLS_SERVER_CA_CERT_PATH: a private CA for the server; TEMPORAL_TLS_SERVER_NAME: SNI override;
 * - TEMPORAL_TLS=true: TLS with the system's CAs (implied by any of the above and by an API key);
 * - TEMPORAL_API_KEY: an API key (Temporal Cloud), sent as a bearer token over TLS.
 */
export function temporalConnectionOptions(
  config: TandemConfig,
  env: NodeJS.ProcessEnv = process.env,
): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: config.temporal.address };
  const certPath = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const keyPath = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new TemporalConnectionConfigError(
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH must be set together',
    );
  }
  const tls: TLSConfig = {};
  if (certPath && keyPath) {
    tls.clientCertPair = {
      crt: readFile('TEMPORAL_TLS_CLIENT_CERT_PATH', certPath),
      key: readFile('TEMPORAL_TLS_CLIENT_KEY_PATH', keyPath),
    };
  }
  if (env.TEMPORAL_TLS_SERVER_CA_CERT_PATH)
    tls.serverRootCACertificate = readFile('TEMPORAL_TLS_SERVER_CA_CERT_PATH', env.TEMPORAL_TLS_SERVER_CA_CERT_PATH);
  if (env.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = env.TEMPORAL_TLS_SERVER_NAME;
  if (env.TEMPORAL_API_KEY) options.apiKey = env.TEMPORAL_API_KEY;
  if (Object.keys(tls).length > 0) options.tls = tls;
  else if (env.TEMPORAL_TLS === 'true' || options.apiKey) options.tls = true;
  return options;
}
