/**
 * The optional payload codec: AES-256-GCM over every Temporal payload (workflow and activity inputs
 * and results, signals, queries, memos, failure messages), so Temporal's history holds ciphertext
 * only. Each encrypted payload names its key in the metadata (`encryption-key-id`), so keys rotate:
 * new payloads use the current key, and old payloads still decrypt while their key is in the keyring.
 * Same wire shape as Temporal's encryption sample (samples-typescript/encryption): metadata
 * `encoding: binary/encrypted`, data = 12-byte nonce ‖ ciphertext ‖ 16-byte tag of the serialised
 * inner payload.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';

/** The `encoding` metadata value of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata key naming the key a payload was encrypted with. */
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
// GCM's standard 96-bit nonce; random per payload (2^32 payloads per key keep the collision risk negligible).
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Thrown when a payload cannot be decrypted: unknown key id, wrong key, or tampered ciphertext. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/** A key and its id. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** Options of {@link AesGcmPayloadCodec}: the key new payloads use, and older keys still accepted for decryption. */
export interface AesGcmPayloadCodecOptions {
  current: PayloadKey;
  previous?: PayloadKey[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Serialises a payload (metadata and data as base64) so it can be encrypted as one message. */
export function serialisePayload(payload: Payload): Uint8Array {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return encoder.encode(
    JSON.stringify({ metadata, data: payload.data ? Buffer.from(payload.data).toString('base64') : undefined }),
  );
}

/** The inverse of {@link serialisePayload}. */
export function deserialisePayload(bytes: Uint8Array): Payload {
  const parsed = JSON.parse(decoder.decode(bytes)) as { metadata: Record<string, string>; data?: string };
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(parsed.metadata)) metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  return { metadata, data: parsed.data === undefined ? undefined : new Uint8Array(Buffer.from(parsed.data, 'base64')) };
}

function checkKey(key: PayloadKey): void {
  if (key.key.length !== KEY_BYTES)
    throw new ValueError(`payload key ${JSON.stringify(key.id)} must be ${KEY_BYTES} bytes, got ${key.key.length}`);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(key.id))
    throw new ValueError(`payload key id ${JSON.stringify(key.id)} must be 1-64 letters, digits, ".", "_" or "-"`);
}

/** AES-256-GCM payload codec with a keyring (see the module comment). */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly current: PayloadKey;
  private readonly keyring = new Map<string, Buffer>();

  constructor(options: AesGcmPayloadCodecOptions) {
    for (const key of [options.current, ...(options.previous ?? [])]) {
      checkKey(key);
      if (!this.keyring.has(key.id)) this.keyring.set(key.id, key.key);
    }
    this.current = options.current;
  }

  /** The id new payloads are encrypted under. */
  get keyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(ALGORITHM, this.current.key, nonce);
      // The key id is bound to the ciphertext, so a payload relabelled with another id fails to decrypt.
      cipher.setAAD(Buffer.from(this.current.id));
      const sealed = Buffer.concat([
        nonce,
        cipher.update(serialisePayload(payload)),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA_KEY]: encoder.encode(this.current.id),
        },
        data: new Uint8Array(sealed),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Payloads written before the codec was switched on stay readable.
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA_KEY];
      if (!idBytes) throw new PayloadDecryptionError('encrypted payload has no encryption-key-id metadata');
      const keyId = decoder.decode(idBytes);
      const key = this.keyring.get(keyId);
      if (!key)
        throw new PayloadDecryptionError(
          `payload was encrypted with key ${JSON.stringify(keyId)}, which is not in the keyring (TANDEM_PAYLOAD_KEY / TANDEM_PAYLOAD_OLD_KEYS)`,
        );
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is too short');
      const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      try {
        return deserialisePayload(
          Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]),
        );
      } catch {
        throw new PayloadDecryptionError(
          `payload under key ${JSON.stringify(keyId)} failed authentication: wrong key or tampered data`,
        );
      }
    });
  }
}
