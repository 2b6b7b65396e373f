// The optional payload codec: AES-256-GCM with the key id in the metadata and a keyring of old keys;
// a worker and a client configured from the environment round-trip every message through it, and
// what Temporal's server stores (read back with `temporal workflow show -o json`) is ciphertext.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { METADATA_ENCODING_KEY, defaultPayloadConverter } from '@temporalio/common';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA_KEY,
  PayloadDecryptionError,
} from '../../src/security/payload-codec';
import { dataConverter, payloadCodecFromEnv, PayloadKeyError } from '../../src/security/data-converter';
import { startCodecServer } from '../../src/security/codec-server';
import type { ContinuousSyncInput } from '../../src/workflows/continuous-sync';
import { statusQuery, syncNowSignal } from '../../src/workflows/messages';
import { initialCopyWorkflowId, type SyncObject } from '../../src/shared';
import { FakeSync } from '../support/fake-activities';
import { eventually, useTemporal } from '../support/temporal';
import { b64, historyText, payloadsIn } from './history';

const runCli = async (cli: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(cli, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;

const KEY = randomBytes(32);
const OLD_KEY = randomBytes(32);
// Set before the harness connects: useTemporal's client and worker take their converter from the environment.
const savedEnv = { ...process.env };
process.env.TANDEM_PAYLOAD_KEY = KEY.toString('base64');
process.env.TANDEM_PAYLOAD_KEY_ID = 'k2026';
process.env.TANDEM_PAYLOAD_OLD_KEYS = `k2025:${OLD_KEY.toString('base64')}`;
afterAll(() => {
  for (const name of ['TANDEM_PAYLOAD_KEY', 'TANDEM_PAYLOAD_KEY_ID', 'TANDEM_PAYLOAD_OLD_KEYS']) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

const text = new TextEncoder();
const plain = (value: unknown) => defaultPayloadConverter.toPayload(value);

describe('AES-256-GCM payload codec', () => {
  const codec = new AesGcmPayloadCodec({ current: { id: 'k2', key: KEY }, previous: [{ id: 'k1', key: OLD_KEY }] });

  it('encrypts each payload with the current key, names the key in the metadata, and decrypts it back', async () => {
    const original = plain({ email: 'ada@example.com', n: 1 });
    const [encrypted] = await codec.encode([original]);
    expect(new TextDecoder().decode(encrypted!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(new TextDecoder().decode(encrypted!.metadata![KEY_ID_METADATA_KEY])).toBe('k2');
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain('ada@example.com');
    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ email: 'ada@example.com', n: 1 });
    // A fresh nonce per payload: the same value never encrypts to the same bytes.
    const [again] = await codec.encode([original]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(encrypted!.data!))).toBe(false);
  });

  it('decrypts payloads written under a retired key that is still in the keyring', async () => {
    const oldCodec = new AesGcmPayloadCodec({ current: { id: 'k1', key: OLD_KEY } });
    const [old] = await oldCodec.encode([plain('written last year')]);
    const [decoded] = await codec.decode([old!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toBe('written last year');
  });

  it('refuses an unknown key id, a wrong key, tampered data and a relabelled key id', async () => {
    const stranger = new AesGcmPayloadCodec({ current: { id: 'k9', key: randomBytes(32) } });
    const [foreign] = await stranger.encode([plain('x')]);
    await expect(codec.decode([foreign!])).rejects.toThrow(/key "k9", which is not in the keyring/);
    const impostor = new AesGcmPayloadCodec({ current: { id: 'k2', key: randomBytes(32) } });
    const [wrongKey] = await impostor.encode([plain('x')]);
    await expect(codec.decode([wrongKey!])).rejects.toThrow(PayloadDecryptionError);
    const [good] = await codec.encode([plain('x')]);
    const tampered = { ...good!, data: Uint8Array.from(good!.data!, (b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered])).rejects.toThrow(/failed authentication/);
    const relabelled = { ...good!, metadata: { ...good!.metadata, [KEY_ID_METADATA_KEY]: text.encode('k1') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication/);
  });

  it('passes payloads written before the codec was switched on through unchanged', async () => {
    const legacy = plain({ cycle: 3 });
    expect(await codec.decode([legacy])).toEqual([legacy]);
  });
});

describe('codec configuration from the environment', () => {
  it('is off when TANDEM_PAYLOAD_KEY is unset, and on with the key id and old keys when it is set', () => {
    expect(dataConverter({})).toBeUndefined();
    const converter = dataConverter({ TANDEM_PAYLOAD_KEY: KEY.toString('base64'), TANDEM_PAYLOAD_KEY_ID: 'ops-1' });
    expect(converter?.payloadCodecs).toHaveLength(1);
    expect(converter?.failureConverterPath).toMatch(/failure-converter\.cjs$/);
    expect((converter!.payloadCodecs![0] as AesGcmPayloadCodec).keyId).toBe('ops-1');
  });

  it('rejects a key of the wrong length or encoding, naming the variable and never the key', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => payloadCodecFromEnv({ TANDEM_PAYLOAD_KEY: short })).toThrow(PayloadKeyError);
    expect(() => payloadCodecFromEnv({ TANDEM_PAYLOAD_KEY: short })).toThrow(
      /TANDEM_PAYLOAD_KEY: key "default" must decode to 32 bytes/,
    );
    try {
      payloadCodecFromEnv({ TANDEM_PAYLOAD_KEY: short });
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
    expect(() => payloadCodecFromEnv({ TANDEM_PAYLOAD_KEY: 'not base64 !!' })).toThrow(/is not base64/);
    expect(() =>
      payloadCodecFromEnv({ TANDEM_PAYLOAD_KEY: KEY.toString('base64'), TANDEM_PAYLOAD_OLD_KEYS: 'nocolon' }),
    ).toThrow(/id:base64-key/);
  });
});

describe('a worker and a client with the codec, on a real Temporal dev server', () => {
  const temporal = useTemporal();
  const CANARY = 'Canary7f3a__c';
  const objects: SyncObject[] = [
    { name: 'Lead', direction: 'two-way' },
    { name: 'Account', direction: 'from-salesforce' },
    { name: CANARY, direction: 'from-salesforce' },
  ];

  it('round-trips input, signals, queries and the initial-copy child, while the stored history holds only ciphertext', async () => {
    // Account has never been copied (the child runs), and the canary object fails permanently with a
    // message naming it: failure messages must be encrypted too.
    const fake = new FakeSync(
      objects.map((o) => o.name),
      { copied: ['Lead', CANARY], pullFailures: { [CANARY]: 'permanent' } },
    );
    const taskQueue = temporal.current.taskQueue();
    const workflowId = `codec-${taskQueue}`;
    await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
      // Started by type name: the test needs no workflow code in its own process.
      const input: ContinuousSyncInput = { objects, pauseBetweenCycles: '1 hour', maxCyclesPerRun: 1 };
      const handle = await temporal.current.client.workflow.start('continuousSyncWorkflow', {
        taskQueue,
        workflowId,
        args: [input],
      });
      await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.phase === 'waiting' && s.initialCopy.Account?.done;
      });
      await handle.signal(syncNowSignal);
      const status = await eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.cycle >= 2 && s.phase === 'waiting' ? s : undefined;
      });
      // Decrypted on the way back: the query answer and the carried state are readable to the client.
      expect(status.objects[CANARY]!.lastPull).toMatchObject({ ok: false });
      expect(status.objects[CANARY]!.lastPull!.error).toContain(CANARY);
      expect(status.objects.Account!.lastPull).toMatchObject({ ok: true, rowsPulled: 2 });
      await handle.terminate();
    });

    const address = inject('temporalAddress');
    const cli = inject('temporalCli');
    const histories = [
      ...(await historyText(cli, address, workflowId)),
      ...(await historyText(cli, address, initialCopyWorkflowId(workflowId))),
    ];
    expect(histories.length).toBeGreaterThanOrEqual(3); // two runs of the sync (continue-as-new after each cycle) and the child
    let count = 0;
    for (const json of histories) {
      expect(json).not.toContain(CANARY);
      // The failure's message (encrypted with the codec) never shows; its type (an error class such as
      // INVALID_FIELD, never record content) stays readable by design of Temporal's failure converter.
      expect(json).not.toContain('No such column');
      expect(json).not.toContain('Broken__c');
      for (const payload of payloadsIn(JSON.parse(json))) {
        count++;
        expect(b64(payload.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
        expect(b64(payload.metadata?.[KEY_ID_METADATA_KEY])).toBe('k2026');
        expect(b64(payload.data)).not.toMatch(/Lead|Account|cycle/);
      }
    }
    expect(count).toBeGreaterThan(10);

    // The codec server turns them back into plaintext for the Web UI.
    const server = await startCodecServer({ codec: payloadCodecFromEnv()!, corsOrigins: ['http://localhost:8233'] });
    try {
      const first = payloadsIn(JSON.parse(histories[histories.length - 1]!));
      const response = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: 'http://localhost:8233' },
        body: JSON.stringify({ payloads: first }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      const decoded = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
      expect(decoded.payloads.map((p) => b64(p.metadata.encoding))).toContain('json/plain');
      expect(decoded.payloads.map((p) => b64(p.data)).join('\n')).toContain(workflowId);

      // The Temporal CLI speaks the same protocol: `temporal workflow show --codec-endpoint` reads plaintext.
      const shown = await runCli(cli, [
        'workflow',
        'show',
        '--address',
        address,
        '-w',
        initialCopyWorkflowId(workflowId),
        '--codec-endpoint',
        server.url,
        '-o',
        'json',
      ]);
      const plainPayloads = payloadsIn(JSON.parse(shown));
      expect(plainPayloads.length).toBeGreaterThan(0);
      expect(plainPayloads.every((p) => b64(p.metadata?.encoding) !== ENCRYPTED_ENCODING)).toBe(true);
      expect(plainPayloads.map((p) => b64(p.data)).join('\n')).toContain(workflowId);
    } finally {
      await server.stop();
    }
  });
});

describe('codec server', () => {
  it('without a token, answers only a loopback Host and refuses to listen beyond loopback', async () => {
    const { request } = await import('node:http');
    const codec = new AesGcmPayloadCodec({ current: { id: 'k2', key: KEY } });
    await expect(startCodecServer({ codec, corsOrigins: [], host: '0.0.0.0' })).rejects.toThrow(
      /needs TANDEM_CODEC_TOKEN/,
    );
    const server = await startCodecServer({ codec, corsOrigins: [] });
    // fetch cannot set Host (a forbidden header), so node:http sends these.
    const post = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${server.url}/encode`);
        const req = request(
          {
            hostname: url.hostname,
            port: url.port,
            path: '/encode',
            method: 'POST',
            headers: { Host: host, 'Content-Type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ payloads: [] }));
      });
    try {
      expect(await post('evil.example:8888')).toBe(403); // a DNS-rebinding page sends its own name
      expect(await post(`localhost:${new URL(server.url).port}`)).toBe(200);
      expect(await post(`127.0.0.1:${new URL(server.url).port}`)).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('encodes and decodes per the remote codec protocol, answers the UI origin preflight only, and checks its token', async () => {
    const codec = new AesGcmPayloadCodec({ current: { id: 'k2', key: KEY } });
    const server = await startCodecServer({ codec, corsOrigins: ['http://localhost:8233'], token: 's3cret-token' });
    try {
      const auth = { Authorization: 'Bearer s3cret-token', 'Content-Type': 'application/json' };
      const payload = {
        metadata: { encoding: Buffer.from('json/plain').toString('base64') },
        data: Buffer.from('"hello"').toString('base64'),
      };
      const encoded = await fetch(`${server.url}/encode`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ payloads: [payload] }),
      });
      expect(encoded.status).toBe(200);
      const body = (await encoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
      expect(b64(body.payloads[0]!.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
      const decoded = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(body),
      });
      expect(await decoded.json()).toEqual({ payloads: [payload] });

      expect((await fetch(`${server.url}/decode`, { method: 'POST', body: JSON.stringify(body) })).status).toBe(401);
      expect(
        (
          await fetch(`${server.url}/decode`, {
            method: 'POST',
            headers: { ...auth, Authorization: 'Bearer nope' },
            body: '{}',
          })
        ).status,
      ).toBe(401);
      expect((await fetch(`${server.url}/decode`, { method: 'POST', headers: auth, body: 'not json' })).status).toBe(
        400,
      );
      expect((await fetch(`${server.url}/other`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(404);

      const preflight = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://localhost:8233', 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
      const evil = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.stop();
    }
  });
});
