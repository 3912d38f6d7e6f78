/**
 * The PKCS#11 signer against a real SoftHSM2 token, created for this file in a temporary
 * directory. Without SoftHSM2 the suite fails: run scripts/softhsm-setup.sh (CI does).
 */
import { matterFromQb64, matterFromRaw, textToBytes } from '@kestrel/cesr';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeystoreError, Pkcs11Token } from '../src/index.js';
import { ed25519KeyFromEcPoint } from '../src/pkcs11/ec-point.js';
import { createSoftHsm, type SoftHsm, withRawSession } from './support/softhsm.js';

// Distinctive PINs, so that finding one in an error message cannot be a coincidence.
const PIN = '583920174';
const SO_PIN = '77412096';
const WRONG_PIN = '9106622835';

const crypto = await createNodeCrypto();
let hsm: SoftHsm;

beforeAll(() => {
  hsm = createSoftHsm('kestrel-pkcs11-test', PIN, SO_PIN);
});

afterAll(() => {
  hsm?.remove();
});

function open(pin = PIN): Pkcs11Token {
  return Pkcs11Token.open({ module: hsm.module, tokenLabel: hsm.tokenLabel, pin });
}

async function withToken<T>(use: (token: Pkcs11Token) => Promise<T> | T): Promise<T> {
  const token = open();
  try {
    return await use(token);
  } finally {
    token.close();
  }
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function expectHsmError(error: unknown, message: RegExp, code = 'hsm'): KeystoreError {
  expect(error).toBeInstanceOf(KeystoreError);
  const keystoreError = error as KeystoreError;
  expect(keystoreError.code).toBe(code);
  expect(keystoreError.message).toMatch(message);
  return keystoreError;
}

async function verifies(publicKey: string, signature: Uint8Array, message: Uint8Array) {
  return crypto.verify('D', matterFromQb64(publicKey).raw, signature, message);
}

describe('Pkcs11Token on SoftHSM2', () => {
  it('generates Ed25519 keys whose signatures libsodium verifies', async () => {
    await withToken(async (token) => {
      const publicKeys = await token.generate('alice/0', 3);
      expect(publicKeys).toHaveLength(3);
      expect(new Set(publicKeys).size).toBe(3);
      const message = textToBytes('{"v":"KERI10JSON0000ed_","t":"icp"}');
      for (const publicKey of publicKeys) {
        expect(publicKey).toMatch(/^D[A-Za-z0-9_-]{43}$/);
        expect(token.holds(publicKey)).toBe(true);
        const signer = token.signer(publicKey);
        expect(signer.publicKey).toBe(publicKey);
        const signature = await signer.sign(message);
        expect(signature).toBeInstanceOf(Uint8Array);
        expect(signature).toHaveLength(64);
        expect(await verifies(publicKey, signature, message)).toBe(true);
        expect(await verifies(publicKey, signature, textToBytes('another message'))).toBe(false);
        // Ed25519 is deterministic (RFC 8032), in a token as anywhere else.
        expect(await signer.sign(message)).toEqual(signature);
      }
      const [first, second] = publicKeys;
      const signature = await token.signer(first!).sign(message);
      expect(await verifies(second!, signature, message)).toBe(false);
      // Signers share one session: concurrent calls must not interleave their init and sign.
      const signatures = await Promise.all(
        publicKeys.map((key) => token.signer(key).sign(message)),
      );
      for (const [index, key] of publicKeys.entries()) {
        expect(await verifies(key, signatures[index]!, message)).toBe(true);
      }
    });
  });

  it('keeps private keys sensitive and not extractable', async () => {
    const [publicKey] = await withToken((token) => token.generate('alice/1', 1));
    withRawSession(hsm, PIN, (api, module, session) => {
      module.C_FindObjectsInit(session, [
        { type: api.CKA_CLASS, value: api.CKO_PRIVATE_KEY },
        { type: api.CKA_ID, value: Buffer.from(publicKey!, 'ascii') },
      ]);
      const found = module.C_FindObjects(session, 2);
      module.C_FindObjectsFinal(session);
      expect(found).toHaveLength(1);
      const privateKey = found[0]!;

      const attributes = module.C_GetAttributeValue(session, privateKey, [
        { type: api.CKA_SENSITIVE },
        { type: api.CKA_EXTRACTABLE },
        { type: api.CKA_ALWAYS_SENSITIVE },
        { type: api.CKA_NEVER_EXTRACTABLE },
        { type: api.CKA_TOKEN },
        { type: api.CKA_PRIVATE },
        { type: api.CKA_SIGN },
        { type: api.CKA_LABEL },
      ]);
      const [
        sensitive,
        extractable,
        alwaysSensitive,
        neverExtractable,
        onToken,
        isPrivate,
        sign,
        label,
      ] = attributes.map((attribute) => attribute.value);
      expect(sensitive).toEqual(Buffer.of(1));
      expect(extractable).toEqual(Buffer.of(0));
      expect(alwaysSensitive).toEqual(Buffer.of(1));
      expect(neverExtractable).toEqual(Buffer.of(1));
      expect(onToken).toEqual(Buffer.of(1));
      expect(isPrivate).toEqual(Buffer.of(1));
      expect(sign).toEqual(Buffer.of(1));
      expect(label?.toString('utf8')).toBe('alice/1');

      const reading = catchError(() =>
        module.C_GetAttributeValue(session, privateKey, [{ type: api.CKA_VALUE }]),
      );
      expect(reading).toMatchObject({ name: 'Pkcs11Error', code: api.CKR_ATTRIBUTE_SENSITIVE });
    });
  });

  it('finds keys again after closing and reopening the token', async () => {
    const publicKeys = await withToken((token) => token.generate('bob/0', 2));
    const message = textToBytes('signed after reopening');
    await withToken(async (token) => {
      for (const publicKey of publicKeys) {
        expect(token.holds(publicKey)).toBe(true);
        const signature = await token.signer(publicKey).sign(message);
        expect(await verifies(publicKey, signature, message)).toBe(true);
      }
    });
  });

  it('rejects a wrong PIN with an hsm error that does not contain the PIN', () => {
    const error = expectHsmError(
      catchError(() => open(WRONG_PIN)),
      /^Wrong PIN for token 'kestrel-pkcs11-test': CKR_PIN_INCORRECT$/,
      'hsm_wrong_pin',
    );
    const everything = [
      error.message,
      error.stack ?? '',
      JSON.stringify(error.context),
      String(error.cause),
      (error.cause as Error).stack ?? '',
    ].join('\n');
    expect(everything).not.toContain(WRONG_PIN);
    expect(everything).not.toContain(PIN);
    // A failed open gives the module back: the right PIN works straight after.
    open().close();
  });

  it('names the public key the token does not hold', async () => {
    await withToken((token) => {
      const unknown = matterFromRaw('D', new Uint8Array(32).fill(7)).qb64;
      expect(token.holds(unknown)).toBe(false);
      expectHsmError(
        catchError(() => token.signer(unknown)),
        new RegExp(`^No private key for public key ${unknown} in token 'kestrel-pkcs11-test'$`),
        'hsm_key_not_found',
      );
      const digest = matterFromRaw('E', new Uint8Array(32)).qb64;
      expect(token.holds(digest)).toBe(false);
      expect(token.holds('not qb64')).toBe(false);
      expectHsmError(
        catchError(() => token.signer(digest)),
        /^Not a qb64 Ed25519 public key \('D\.\.\.'\): E/,
      );
    });
  });

  it('reports an unknown token label and a missing module', () => {
    expectHsmError(
      catchError(() =>
        Pkcs11Token.open({ module: hsm.module, tokenLabel: 'no-such-token', pin: PIN }),
      ),
      /^No token labelled 'no-such-token' in .*libsofthsm2\.so \(tokens: 'kestrel-pkcs11-test'\)$/,
      'hsm_token_not_found',
    );
    expectHsmError(
      catchError(() =>
        Pkcs11Token.open({ module: '/nonexistent/libpkcs11.so', tokenLabel: 'x', pin: PIN }),
      ),
      /^No PKCS#11 module at \/nonexistent\/libpkcs11\.so/,
      'hsm_module_not_found',
    );
  });

  it('refuses a second open of the same token, and use after close', async () => {
    const token = open();
    const [publicKey] = await token.generate('carol/0', 1);
    const signer = token.signer(publicKey!);
    expectHsmError(
      catchError(() => open()),
      /^Token 'kestrel-pkcs11-test' is already open in this process/,
    );
    token.close();
    token.close();
    await expect(signer.sign(textToBytes('late'))).rejects.toMatchObject({
      code: 'hsm',
      message: "Token 'kestrel-pkcs11-test' is closed",
    });
    expectHsmError(
      catchError(() => token.holds(publicKey!)),
      /is closed$/,
    );
  });

  it('destroys key pairs, leaving the others and skipping keys it does not hold', async () => {
    await withToken(async (token) => {
      const [gone, kept] = await token.generate('erin/0', 2);
      const stranger = matterFromRaw('D', new Uint8Array(32).fill(9)).qb64;
      token.destroy([gone!, stranger, 'not qb64']);
      expect(token.holds(gone!)).toBe(false);
      expect(token.holds(kept!)).toBe(true);
    });
    withRawSession(hsm, PIN, (api, module, session) => {
      module.C_FindObjectsInit(session, [{ type: api.CKA_LABEL, value: 'erin/0' }]);
      const found = module.C_FindObjects(session, 8);
      module.C_FindObjectsFinal(session);
      // The kept pair's public and private key objects; nothing of the destroyed pair.
      expect(found).toHaveLength(2);
    });
  });

  it('generates off the event loop; meanwhile signing waits and synchronous calls refuse', async () => {
    await withToken(async (token) => {
      const [signing] = await token.generate('frank/0', 1);
      const signer = token.signer(signing!);
      const generation = token.generate('frank/1', 2);
      expectHsmError(
        catchError(() => token.holds(signing!)),
        /is generating keys/,
        'hsm_busy',
      );
      const message = textToBytes('queued behind a generation');
      const signature = signer.sign(message);
      const made = await generation;
      expect(await verifies(signing!, await signature, message)).toBe(true);
      expect(made.every((key) => token.holds(key))).toBe(true);
    });
  });

  it('generates no keys for a count of zero and rejects a bad count', async () => {
    await withToken(async (token) => {
      expect(await token.generate('dave/0', 0)).toEqual([]);
      await expect(token.generate('dave/0', -1)).rejects.toMatchObject({ code: 'hsm' });
      await expect(token.generate('dave/0', 1.5)).rejects.toMatchObject({ code: 'hsm' });
    });
  });
});

describe('ed25519KeyFromEcPoint', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

  it('unwraps a DER OCTET STRING and accepts the bare key', () => {
    expect(ed25519KeyFromEcPoint(Uint8Array.of(0x04, 0x20, ...key))).toEqual(key);
    expect(ed25519KeyFromEcPoint(key)).toEqual(key);
  });

  it('rejects anything else', () => {
    for (const point of [
      Uint8Array.of(0x04, 0x1f, ...key),
      Uint8Array.of(0x03, 0x20, ...key),
      key.subarray(0, 31),
      Uint8Array.of(0x04, 0x21, 0x00, ...key),
    ]) {
      expectHsmError(
        catchError(() => ed25519KeyFromEcPoint(point)),
        /is not an Ed25519 public key/,
      );
    }
  });
});
