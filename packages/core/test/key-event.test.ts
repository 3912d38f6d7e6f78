/**
 * Which keys an establishment event may carry: those keripy 1.3.6 can make a verifier (Verfer)
 * of. It has codes for Ed448 keys but no verifier, so it drops an event that lists one.
 */
import { type MatterCode, matterFromRaw, parseStream } from '@kestrel/cesr';
import { EventError, incept, readKeyEvent } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();

function inceptionWith(code: MatterCode, size: number) {
  const key = matterFromRaw(code, crypto.randomBytes(size)).qb64;
  const next = matterFromRaw('E', crypto.digest('E', crypto.randomBytes(32))).qb64;
  const built = incept(crypto.digest, { keys: [key], nextKeyDigests: [next], code: 'E' });
  return { key, body: parseStream(built.raw).messages[0]!.body };
}

describe('establishment event keys', () => {
  for (const [code, size] of [
    ['D', 32],
    ['1AAB', 33],
    ['1AAJ', 33],
  ] as const) {
    it(`takes a ${code} key`, () => {
      const { key, body } = inceptionWith(code, size);
      expect(readKeyEvent(body, crypto.digest).keys).toEqual([key]);
    });
  }

  it('refuses an Ed448 key, as keripy 1.3.6 does', () => {
    const { body } = inceptionWith('1AAD', 57);
    const error = (() => {
      try {
        readKeyEvent(body, crypto.digest);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(EventError);
    expect(error).toMatchObject({ code: 'bad_keys' });
    expect((error as Error).message).toMatch(/keripy 1\.3\.6/);
  });
});
