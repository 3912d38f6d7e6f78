/**
 * SAID sensitivity: changing any single byte of a valid body makes `findInvalidSaid` report it,
 * whether the change keeps the body parseable or not (KERI spec, "SAID"). Bodies are the corpus
 * events (JSON, as keripy wrote them) and the same events saidified as CBOR and MGPK.
 */

import type { Digester } from '@kestrel/cesr';
import {
  BASE64_ALPHABET,
  deserialize,
  findInvalidSaid,
  type Kind,
  type Sad,
  saidify,
} from '@kestrel/cesr';
import { SAID_FIELDS } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';
import { corpusMessages } from './support/streams.js';

interface ValidBody {
  readonly name: string;
  readonly raw: Uint8Array;
  readonly sad: Sad;
  readonly kind: Kind;
  readonly labels: Readonly<Record<string, never>> | (typeof SAID_FIELDS)[keyof typeof SAID_FIELDS];
}

let digest: Digester;
const bodies: ValidBody[] = [];

beforeAll(async () => {
  digest = (await createNodeCrypto()).digest;
  const seen = new Set<string>();
  for (const message of corpusMessages()) {
    const { sad, raw, version } = message.body;
    const labels = SAID_FIELDS[sad.t as keyof typeof SAID_FIELDS];
    if (labels === undefined || Object.keys(labels).length === 0 || seen.has(sad.d as string))
      continue;
    seen.add(sad.d as string);
    // The corpus holds deliberately wrong SAIDs (neg_wrong_said): only valid bodies are mutated.
    if (findInvalidSaid(raw, sad, version.kind, labels, digest) !== undefined) continue;
    bodies.push({ name: `${sad.t} ${sad.d}`, raw, sad, kind: version.kind, labels });
    for (const kind of ['CBOR', 'MGPK'] as const) {
      const built = saidify(sad, { protocol: 'KERI', kind, labels }, digest);
      bodies.push({ name: `${sad.t} ${kind}`, raw: built.raw, sad: built.sad, kind, labels });
    }
  }
});

/** Replacement bytes: anything, printable ASCII (often keeps JSON parseable), Base64 digits. */
const replacement = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.constantFrom(...BASE64_ALPHABET).map((char) => char.charCodeAt(0)),
);

describe('findInvalidSaid', () => {
  it('accepts every valid body (JSON from the corpus, CBOR and MGPK built from it)', () => {
    expect(bodies.length).toBeGreaterThan(30);
    for (const kind of ['JSON', 'CBOR', 'MGPK'])
      expect(bodies.some((body) => body.kind === kind)).toBe(true);
    for (const body of bodies)
      expect(findInvalidSaid(body.raw, body.sad, body.kind, body.labels, digest)).toBeUndefined();
  });

  it('never accepts a body with one byte changed', () => {
    const outcomes = { parseable: 0, unparseable: 0 };
    fc.assert(
      fc.property(
        fc.nat({ max: bodies.length - 1 }),
        fc.nat(),
        replacement,
        (which, where, byte) => {
          const body = bodies[which]!;
          const position = where % body.raw.length;
          const mutated = new Uint8Array(body.raw);
          mutated[position] = byte;
          if (byte === body.raw[position]) {
            expect(
              findInvalidSaid(mutated, body.sad, body.kind, body.labels, digest),
            ).toBeUndefined();
            return;
          }
          // The field map is what the changed body parses to; when it no longer parses, a caller can
          // only hold the map of the original body, and the raw bytes must still be refused.
          let sad: Sad;
          try {
            sad = deserialize(mutated, body.kind);
            outcomes.parseable++;
          } catch {
            sad = body.sad;
            outcomes.unparseable++;
          }
          expect(findInvalidSaid(mutated, sad, body.kind, body.labels, digest)).toBeDefined();
        },
      ),
      { numRuns: propertyRuns(1500) },
    );
    // both kinds of change were exercised
    expect(outcomes.parseable).toBeGreaterThan(100);
    expect(outcomes.unparseable).toBeGreaterThan(100);
  });

  it('never accepts a changed byte inside a SAID field value (targeted)', () => {
    const targets = bodies.filter((body) => body.kind === 'JSON');
    fc.assert(
      fc.property(
        fc.nat({ max: targets.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (which, where, byte) => {
          const body = targets[which]!;
          const text = new TextDecoder().decode(body.raw);
          const label = Object.keys(body.labels)[where % Object.keys(body.labels).length]!;
          const value = body.sad[label] as string;
          const start = text.indexOf(`"${label}":"${value}"`) + label.length + 4;
          const position = start + (where % value.length);
          fc.pre(body.raw[position] !== byte);
          const mutated = new Uint8Array(body.raw);
          mutated[position] = byte;
          let sad: Sad;
          try {
            sad = deserialize(mutated, body.kind);
          } catch {
            sad = body.sad;
          }
          expect(findInvalidSaid(mutated, sad, body.kind, body.labels, digest)).toBeDefined();
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });
});
