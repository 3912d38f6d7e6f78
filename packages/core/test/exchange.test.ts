/**
 * Exchange messages (`exn`) against keripy 1.3.6's own vectors (tests/peer/test_exchanging.py,
 * `test_hab_exchange`): a Habery with salt '0123456789abcdef' (temp stretching) makes the habitat
 * "test", which incepts, anchors a registry inception in an interaction, and sends both embedded
 * in an exn signed with a `-F` group; the interaction's signatures travel in a `-L` group.
 */
import { bytesToText, parseStream, textToBytes } from '@kestrel/cesr';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkEndorsement } from '../src/exchange/endorsement.js';
import {
  buildFromFields,
  type Crypto,
  controllerSignatures,
  deriveSigner,
  EventProcessor,
  exchange,
  incept,
  interact,
  MemoryStore,
  messagize,
  nextKeyDigest,
  readExchange,
  saltFromRaw,
  signIndexed,
  transferableSignatureGroups,
} from '../src/index.js';

let crypto: Crypto;
beforeAll(async () => {
  crypto = await createNodeCrypto();
});

const EXPECTED =
  '{"v":"KERI10JSON0003a0_","t":"exn","d":"ELkHqph-Tj4LGHYfFfoVmJJo09S2gp6ci8rK96upIAKE","i":"EIaGMMWJFPmtXznY1IIiKDIrg-vIyge6mBl2QV8dDjI3","rp":"","p":"","dt":"2021-01-01T00:00:00.000000+00:00","r":"/multisig/registry/incept","q":{},"a":{"i":"","m":"Let\'s create a registry"},"e":{"vcp":{"v":"KERI10JSON00010f_","t":"vcp","d":"EI6hBlgkWoJgkZyfLW35_UyM4nIK44OgsSwFR_WOfvVB","i":"EI6hBlgkWoJgkZyfLW35_UyM4nIK44OgsSwFR_WOfvVB","ii":"EIaGMMWJFPmtXznY1IIiKDIrg-vIyge6mBl2QV8dDjI3","s":"0","c":[],"bt":"0","b":[],"n":"AH3-1EZWXU9I0fv3Iz_9ZIhjj13JO7u4GNFYC3-l8_K-"},"ixn":{"v":"KERI10JSON000138_","t":"ixn","d":"EFuFnevyDFfpWG6il-6Qcv0ne0ZIItLwanCwI-SU8A9j","i":"EIaGMMWJFPmtXznY1IIiKDIrg-vIyge6mBl2QV8dDjI3","s":"1","p":"EIaGMMWJFPmtXznY1IIiKDIrg-vIyge6mBl2QV8dDjI3","a":[{"i":"EI6hBlgkWoJgkZyfLW35_UyM4nIK44OgsSwFR_WOfvVB","s":0,"d":"EI6hBlgkWoJgkZyfLW35_UyM4nIK44OgsSwFR_WOfvVB"}]},"d":"EL5Nkm6T7HG_0GW6uwqYSZwlH23khtXvsVE-dq8eO_eE"}}-FABEIaGMMWJFPmtXznY1IIiKDIrg-vIyge6mBl2QV8dDjI30AAAAAAAAAAAAAAAAAAAAAAAEIaGMMWJFPmtXznY1IIiKDIrg-vIyge6mBl2QV8dDjI3-AABAAB-teJc_7zot5TAZT6lQi2-GlBzMHXICvt3tIYoPo2gYXF7PpWDozo3y3wVW9mgHln-1DvQlqn9Aip1YnBgKUQB-LAa5AACAA-e-ixn-AABAADprTWp4llIzVzBM7VVsDOgXVJdoiVXutsWJEbDJ2pMdjXjNi1xKALBSZ1ZgRoUsD--LgUQkXIdjLoQ19XPvJMJ';

function habitat() {
  const salt = saltFromRaw(new TextEncoder().encode('0123456789abcdef'));
  // keripy Manager paths: stem (the hab name), rotation index, key index, in hex.
  const current = deriveSigner(crypto, salt, 'test00', { tier: 'temp' });
  const next = deriveSigner(crypto, salt, 'test11', { tier: 'temp' });
  const icp = incept(crypto.digest, {
    keys: [current.publicKey.qb64],
    nextKeyDigests: [nextKeyDigest(crypto, next.publicKey.qb64).qb64],
    code: 'E',
  });
  const sign = (raw: Uint8Array) => [signIndexed(crypto, current.seed, raw, 0)];
  return { current, icp, sign, prefix: icp.sad.i as string };
}

describe('exn (keripy exchanging.exchange)', () => {
  it('reproduces keripy test_hab_exchange byte for byte', () => {
    const hab = habitat();
    expect(hab.prefix).toBe('EIaGMMWJFPmtXznY1IIiKDIrg-vIyge6mBl2QV8dDjI3');
    const vcp = buildFromFields(crypto.digest, {
      v: '',
      t: 'vcp',
      d: '',
      i: '',
      ii: hab.prefix,
      s: '0',
      c: [],
      bt: '0',
      b: [],
      n: 'AH3-1EZWXU9I0fv3Iz_9ZIhjj13JO7u4GNFYC3-l8_K-',
    });
    const ixn = interact(crypto.digest, {
      prefix: hab.prefix,
      prior: hab.icp.said,
      sn: 1n,
      data: [{ i: vcp.said, s: 0, d: vcp.said }],
    });
    const ixnMessage = messagize(ixn.raw, [controllerSignatures(hab.sign(ixn.raw))]);
    const built = exchange(crypto.digest, {
      route: '/multisig/registry/incept',
      sender: hab.prefix,
      recipient: '',
      payload: { m: "Let's create a registry" },
      date: '2021-01-01T00:00:00.000000+00:00',
      embeds: { vcp: vcp.raw, ixn: ixnMessage },
    });
    const signed = messagize(built.message.raw, [
      transferableSignatureGroups([
        { prefix: hab.prefix, sn: 0n, said: hab.icp.said, signatures: hab.sign(built.message.raw) },
      ]),
      ...built.pathedGroups,
    ]);
    expect(bytesToText(signed)).toBe(EXPECTED);
  });

  it('reads it back: sender signatures, embeds with their pathed attachments', () => {
    const hab = habitat();
    const [message] = parseStream(textToBytes(EXPECTED)).messages;
    const received = readExchange(message!, crypto.digest);
    expect(received.said).toBe('ELkHqph-Tj4LGHYfFfoVmJJo09S2gp6ci8rK96upIAKE');
    expect(received.route).toBe('/multisig/registry/incept');
    expect(received.sender).toBe(hab.prefix);
    expect(received.payload).toEqual({ i: '', m: "Let's create a registry" });
    expect([...received.embeds.keys()]).toEqual(['vcp', 'ixn']);
    expect(received.embeds.get('vcp')!.attachments).toBe('');
    const ixn = received.embeds.get('ixn')!;
    expect(ixn.attachments).toMatch(/^-AAB/);
    expect(received.senderSignatures).toHaveLength(1);
    expect(received.senderSignatures[0]!.sn).toBe(0n);

    // The sender is trusted only once its KEL is known here, and only with valid signatures.
    const processor = new EventProcessor({ store: new MemoryStore(), crypto });
    const group = received.senderSignatures[0]!;
    expect(checkEndorsement(processor.context, received.raw, group)).toMatchObject({
      valid: false,
      reason: 'unknown_signer',
    });
    processor.process(
      parseStream(messagize(hab.icp.raw, [controllerSignatures(hab.sign(hab.icp.raw))]))
        .messages[0]!,
    );
    expect(checkEndorsement(processor.context, received.raw, group)).toEqual({
      valid: true,
      indices: [0],
    });
    const tampered = new Uint8Array(received.raw);
    tampered[tampered.length - 3]! ^= 1;
    expect(checkEndorsement(processor.context, tampered, group)).toMatchObject({
      valid: false,
      reason: 'bad_signatures',
    });
    // The embedded interaction, with its attachments, is an ordinary message again.
    const outcomes = processor.process(parseStream(ixn.message).messages[0]!);
    expect(outcomes[0]).toMatchObject({ kind: 'accepted', sn: 1n });
  });

  it('refuses a tampered embed block', () => {
    const tampered = EXPECTED.replace(
      '"m":"Let\'s create a registry"',
      '"m":"Let\'s create a registrx"',
    );
    const [message] = parseStream(textToBytes(tampered)).messages;
    expect(() => readExchange(message!, crypto.digest)).toThrow(/SAID/);
  });
});
