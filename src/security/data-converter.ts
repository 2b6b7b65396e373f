/**
 * The one place Temporal clients and workers get their data converter: `dataConverter()` returns the
 * AES-256-GCM codec (src/security/payload-codec.ts) when TANDEM_PAYLOAD_KEY is set, and nothing
 * (Temporal's defaults, plain JSON payloads) when it is not. The worker (src/worker.ts), `npm start`,
 * the `tandem` CLI, the codec server and the test harness all call it, so they always agree.
 *
 * Environment:
 * - TANDEM_PAYLOAD_KEY: the current key, 32 bytes in base64 (`openssl rand -base64 32`);
 * - TANDEM_PAYLOAD_KEY_ID: its id, stored in every payload's metadata (default `default`);
 * - TANDEM_PAYLOAD_OLD_KEYS: retired keys still accepted for decryption, `id:base64,id:base64`.
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, type PayloadKey } from './payload-codec';

/** Thrown when a payload key variable is set but unusable; the message names the variable, never the key. */
export class PayloadKeyError extends Error {
  override readonly name = 'PayloadKeyError';
}

/** The failure converter that moves error messages into the encrypted payload (a CommonJS file, see its header). */
export const failureConverterPath = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

const DEFAULT_KEY_ID = 'default';

function decodeKey(variable: string, id: string, base64: string): PayloadKey {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed))
    throw new PayloadKeyError(`${variable}: key ${JSON.stringify(id)} is not base64`);
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32)
    throw new PayloadKeyError(
      `${variable}: key ${JSON.stringify(id)} must decode to 32 bytes (AES-256), got ${key.length}`,
    );
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
    throw new PayloadKeyError(
      `${variable}: key id ${JSON.stringify(id)} must be 1-64 letters, digits, ".", "_" or "-"`,
    );
  return { id, key };
}

/** The codec configured by the environment, or undefined when TANDEM_PAYLOAD_KEY is unset. Throws PayloadKeyError on a bad key. */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const current = env.TANDEM_PAYLOAD_KEY;
  if (current === undefined || current === '') return undefined;
  const id = env.TANDEM_PAYLOAD_KEY_ID || DEFAULT_KEY_ID;
  const previous = (env.TANDEM_PAYLOAD_OLD_KEYS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0)
        throw new PayloadKeyError(
          'TANDEM_PAYLOAD_OLD_KEYS: expected entries of the form id:base64-key, separated by commas',
        );
      return decodeKey('TANDEM_PAYLOAD_OLD_KEYS', entry.slice(0, colon), entry.slice(colon + 1));
    });
  return new AesGcmPayloadCodec({ current: decodeKey('TANDEM_PAYLOAD_KEY', id, current), previous });
}

/**
 * The data converter for every Temporal client and worker Tandem creates: the payload codec and the
 * encrypting failure converter when TANDEM_PAYLOAD_KEY is set, else undefined (Temporal's defaults).
 */
export function dataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = payloadCodecFromEnv(env);
  if (!codec) return undefined;
  return { payloadCodecs: [codec], failureConverterPath };
}
