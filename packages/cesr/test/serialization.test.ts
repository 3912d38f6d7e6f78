/**
 * JSON, CBOR and MGPK bodies byte for byte as keripy writes them (fixtures produced with Python's
 * json, cbor2 and msgpack by scripts/serialization-fixtures.py), and framing of non-JSON messages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bytesToHex,
  concatBytes,
  deserialize,
  findInvalidSaid,
  hexToBytes,
  type Kind,
  parseStream,
  saidify,
  serialize,
  smell,
  textToBytes,
} from '@kestrel/cesr';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { describe, expect, it } from 'vitest';

const { fixtures } = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'serialization.json'), 'utf8'),
) as {
  fixtures: Array<{ kind: Kind; sad: Record<string, unknown>; hex: string }>;
};
const crypto = await createNodeCrypto();

describe('serialization as keripy writes it', () => {
  it.each(fixtures.map((f) => [`${f.sad.t} ${f.kind}`, f] as const))('%s', (_name, fixture) => {
    const raw = serialize(fixture.sad, fixture.kind);
    expect(bytesToHex(raw)).toBe(fixture.hex);
    expect(deserialize(raw, fixture.kind)).toEqual(fixture.sad);
    expect(smell(raw).size).toBe(raw.length);
    expect(smell(raw).kind).toBe(fixture.kind);
  });

  it.each(['CBOR', 'MGPK', 'JSON'] as const)('computes and verifies SAIDs of %s bodies', (kind) => {
    const template = fixtures.find((f) => f.kind === kind && f.sad.t === 'icp')!.sad;
    const { sad, raw } = saidify(
      { ...template, d: '', i: '' },
      { protocol: 'KERI', kind, labels: { d: 'E', i: 'E' } },
      crypto.digest,
    );
    expect(sad.d).toMatch(/^E[A-Za-z0-9_-]{43}$/);
    expect(sad.i).toBe(sad.d);
    expect(findInvalidSaid(raw, sad, kind, { d: 'E', i: 'E' }, crypto.digest)).toBeUndefined();
    const tampered = { ...sad, s: '1' };
    expect(
      findInvalidSaid(serialize(tampered, kind), tampered, kind, { d: 'E', i: 'E' }, crypto.digest),
    ).toBe('d');
  });

  it('frames CBOR and MGPK messages with their attachments in a mixed stream', () => {
    const attachment = textToBytes('-AAB' + `AA${'A'.repeat(86)}`);
    const bodies = fixtures.filter((f) => f.sad.t === 'ixn').map((f) => hexToBytes(f.hex));
    const { messages, errors } = parseStream(
      concatBytes(...bodies.flatMap((body) => [body, attachment])),
    );
    expect(errors).toEqual([]);
    expect(messages.map((m) => m.body.version.kind)).toEqual(['JSON', 'CBOR', 'MGPK']);
    for (const message of messages) expect(message.attachments[0]!.counter.code).toBe('-A');
  });
});
