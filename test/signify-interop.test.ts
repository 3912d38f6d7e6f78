/**
 * Cross-implementation tests against signify-ts 0.3.0 (the KERIA edge signer, a TypeScript port of
 * parts of keripy). signify-ts derives keys, builds and signs icp/rot/ixn/dip/drt/rct; Kestrel
 * frames its bytes, verifies every SAID and signature, validates the KELs with the event processor
 * and rebuilds the same bytes with its own builders. The other way round, Kestrel builds and signs
 * and signify-ts parses and verifies.
 *
 * Differences found between signify-ts 0.3.0 and keripy 1.3.6 / Kestrel (each pinned by a test):
 *  1. `rotate()` defaults to `intive=true`, and its `intive` means something else than keripy's:
 *     only `bt` becomes a JSON integer, and only when it is > 0 (`"bt":2`, but `"bt":"0"`); `kt`
 *     and `nt` stay hex strings. keripy's `intive` makes kt, nt and bt all integers. So neither
 *     Kestrel's `rotate()` (keripy's hex default) nor its `intive` option gives signify's bytes for
 *     a witnessed rotation; `buildFromFields` with signify's field map does. Both forms validate.
 *  2. `incept(intive=true)` decides the form of `nt` from the *current* threshold: with a numeric
 *     `kt` and a weighted `nt`, `nt` is undefined and silently dropped from the JSON (a malformed
 *     event Kestrel rejects); with a weighted `kt` and a numeric `nt`, `nt` stays a string.
 *  3. `incept()` without `code` and with more than one key throws "Empty Material"; keripy (and
 *     Kestrel) default to a Blake3-256 self-addressing prefix. With one key and no code all three
 *     make a basic prefix (the key itself), transferable or not.
 *  4. `incept()` checks the next threshold's size against the number of current keys instead of
 *     next digests, so it builds `nt:"2"` over one digest; keripy's and Kestrel's builders refuse.
 *  5. `rotate()` cannot build an abandonment (`n:[]`, `nt:"0"`): its default `nsith` is
 *     max(1, ...) and it refuses `nsith` 0. keripy and Kestrel build it.
 *  6. `messagize()` cannot attach witness signatures or receipt couples: its non-transferable check
 *     is `code in NonTransDex` (property names, not codes) so every verfer fails; past that, it
 *     would write them under -A (controller signatures) instead of -B and -C, and without the
 *     couple's prefix. The test writes -B, -C and -G with signify's `Counter` instead.
 *  7. `messagize(seal=['SealEvent', {s}])` reads the seal's hex `s` with `parseInt(s)` (decimal):
 *     `s:"10"` (16) is written as sn 10 in the -F group.
 *  8. There is no SAID verification on ingest: `new Serder(sad)` keeps a wrong `d` as it is (it
 *     recomputes only the version string). `Prefixer.verify` always throws (it compares `i`, not
 *     `t`, with 'icp'), and `Saider.verify` cannot verify a self-addressing inception (it dummies
 *     `d` only); deriving the prefix again with `new Prefixer({code}, sad)` is what works.
 *  9. There is no receipt builder (`rct` is built here with `new Serder`) and no -G (seal source
 *     couple) support in `messagize`.
 * 10. `deversify()` writes the version it parses into the shared `Vrsn_1_0` constant.
 * Everything else agreed byte for byte: key derivation, next-key digests, Ed25519 signatures of
 * every code (A, 2A with ondex != index, B, 0B), bodies, SAIDs and whole signed messages.
 */

import { findInvalidSaid, type Sad, textToBytes } from '@kestrel/cesr';
import {
  type BuiltMessage,
  buildFromFields,
  controllerSignatures,
  incept,
  interact,
  messagize as kestrelMessagize,
  nextKeyDigest,
  readAttachments,
  receipt,
  receiptCouples,
  rotate,
  SAID_FIELDS,
  sealSourceCouples,
  signIndexed,
  signUnindexed,
  ThresholdError,
  transferableSignatureGroups,
  verifyMatterSignature,
  witnessSignatures,
} from '@kestrel/core';
import {
  type Cigar,
  Diger,
  deversify,
  Prefixer,
  Protocols,
  Saider,
  Seqner,
  Serder,
  Serials,
  incept as signifyIncept,
  messagize as signifyMessagize,
  rotate as signifyRotate,
  Tholder,
  Vrsn_1_0,
  versify,
} from 'signify-ts';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectAllAccepted,
  expectSaidsValid,
  frameOne,
  validateStream,
} from './support/interop.js';
import {
  readWithSignify,
  signifyCigar,
  signifySaidVerifies,
  signifySiger,
  signifySigerVerifies,
} from './support/signify.js';

import {
  checkInKestrel,
  crypto,
  delegation,
  dig,
  digest,
  kestrelKey,
  kestrelSignature,
  kestrelSigned,
  kestrelWitnessSigs,
  keys,
  multi,
  pub,
  type Sig,
  salt,
  signifySigned,
  single,
  text,
  weighted,
  wit,
  witnessed,
  witnessSigsText,
} from './support/signify-kels.js';

// ---- tests ------------------------------------------------------------------------------------

describe('keys and signatures: signify-ts and Kestrel derive and sign alike', () => {
  const paths = ['single0', 'multi.m1', 'weighted.y2', 'dge0'];

  it('the same salt, path and temp tier give the same seed and public key', () => {
    expect(keys.salter.qb64).toBe(salt.qb64);
    for (const path of paths) {
      expect(kestrelKey(path).seed.qb64).toBe(keys.signer(path).qb64);
      expect(kestrelKey(path).publicKey.qb64).toBe(pub(path));
      expect(kestrelKey(path, false).publicKey.qb64).toBe(wit(path));
      expect(nextKeyDigest(crypto, pub(path)).qb64).toBe(dig(path));
    }
  });

  it('Ed25519 signatures of every code are identical (A, 2A with ondex, B, 0B)', () => {
    const raw = single.icp.raw;
    const seed = kestrelKey('single0').seed;
    const signer = keys.signer('single0');
    const cases = [
      { index: 0, options: {}, signify: signifySiger(signer, raw, 0), code: 'A' },
      {
        index: 1,
        options: { ondex: 2 },
        signify: signifySiger(signer, raw, 1, { ondex: 2 }),
        code: '2A',
      },
      {
        index: 5,
        options: { currentOnly: true },
        signify: signifySiger(signer, raw, 5, { only: true }),
        code: 'B',
      },
    ];
    for (const c of cases) {
      const ours = signIndexed(crypto, seed, textToBytes(raw), c.index, c.options);
      expect(ours.qb64).toBe(c.signify.qb64);
      expect(ours.code).toBe(c.code);
      expect(c.signify.code).toBe(c.code);
    }
    expect(signUnindexed(crypto, seed, textToBytes(raw)).qb64).toBe(signifyCigar(signer, raw).qb64);
  });
});

describe('signify-ts single-key KEL (basic prefix): icp, rot, ixn with seals', () => {
  it('Kestrel frames each message and verifies its SAID and signatures', () => {
    expect(single.icp.pre).toBe(pub('single0')); // one key, no code: the key is the prefix
    checkInKestrel(single.messages[0]!, [pub('single0')]);
    const rot = checkInKestrel(single.messages[1]!, [pub('single1')], [dig('single1')]);
    expect(rot.exposed).toEqual([0]);
    checkInKestrel(single.messages[2]!, [pub('single1')]);
  });

  it("Kestrel's builders give the same bytes from the same inputs, and the same signed messages", () => {
    const icp = incept(digest, { keys: [pub('single0')], nextKeyDigests: [dig('single1')] });
    const rot = rotate(digest, {
      prefix: single.icp.pre,
      keys: [pub('single1')],
      prior: icp.said,
      sn: 1,
      nextKeyDigests: [dig('single2')],
    });
    const ixn = interact(digest, {
      prefix: single.icp.pre,
      prior: rot.said,
      sn: 2,
      data: single.seals,
    });
    expect(icp.sad.i).toBe(pub('single0'));
    expect(text(icp.raw)).toBe(single.icp.raw);
    expect(text(rot.raw)).toBe(single.rot.raw); // no witnesses: signify writes "bt":"0" like keripy
    expect(text(ixn.raw)).toBe(single.ixn.raw);
    expect(kestrelSigned(icp, single.sigs)).toEqual(single.messages[0]);
    expect(kestrelSigned(rot, single.rotSigs)).toEqual(single.messages[1]);
    expect(kestrelSigned(ixn, single.rotSigs)).toEqual(single.messages[2]);
  });

  it('the event processor accepts the whole KEL', async () => {
    const { report } = await expectAllAccepted(crypto, single.messages, {
      [single.icp.pre]: [single.icp.said, single.rot.said, single.ixn.said],
    });
    expect(report.accepted[single.icp.pre]!.state.k).toEqual([pub('single1')]);
  });
});

describe('signify-ts multi-key KEL: kt "2" and a partial rotation with dual-indexed signatures', () => {
  it('the rotation carries 2A (index 0, ondex 2), A (1, 1) and B (2, current only) signatures', () => {
    const { attachments, indices, exposed } = checkInKestrel(
      multi.messages[1]!,
      multi.rot.sad.k,
      multi.icp.sad.n,
    );
    expect(attachments.controllerSignatures.map((s) => [s.code, s.index, s.ondex])).toEqual([
      ['2A', 0, 2],
      ['A', 1, 1],
      ['B', 2, undefined],
    ]);
    expect(indices).toEqual([0, 1, 2]);
    expect(exposed).toEqual([2, 1]); // two of the three pre-rotated keys; multi.n0 stays in reserve
  });

  it('Kestrel verifies the inception and the interaction', () => {
    expect(checkInKestrel(multi.messages[0]!, multi.icp.sad.k).indices).toEqual([0, 1]);
    expect(checkInKestrel(multi.messages[2]!, multi.rot.sad.k).indices).toEqual([0, 2]);
  });

  it("Kestrel's builders and signatures give the same messages", () => {
    const icp = incept(digest, {
      keys: multi.icp.sad.k,
      signingThreshold: '2',
      nextKeyDigests: multi.icp.sad.n,
      nextThreshold: '2',
    });
    const rot = rotate(digest, {
      prefix: icp.said,
      keys: multi.rot.sad.k,
      prior: icp.said,
      sn: 1,
      signingThreshold: '2',
      nextKeyDigests: multi.rot.sad.n,
      nextThreshold: '2',
    });
    const ixn = interact(digest, {
      prefix: icp.said,
      prior: rot.said,
      sn: 2,
      data: multi.ixn.sad.a,
    });
    expect(kestrelSigned(icp, multi.icpSigs)).toEqual(multi.messages[0]);
    expect(kestrelSigned(rot, multi.rotSigs)).toEqual(multi.messages[1]);
    expect(kestrelSigned(ixn, multi.ixnSigs)).toEqual(multi.messages[2]);
  });

  it('the event processor accepts the whole KEL', async () => {
    const { report } = await expectAllAccepted(crypto, multi.messages, {
      [multi.icp.pre]: [multi.icp.said, multi.rot.said, multi.ixn.said],
    });
    expect(report.accepted[multi.icp.pre]!.state.k).toEqual(multi.rot.sad.k);
  });

  it('without the 2A signature the prior next threshold "2" is not met: not accepted', async () => {
    const partial = signifySigned(multi.rot, multi.rotSigs.slice(1));
    const { report } = await validateStream(crypto, [multi.messages[0]!, partial]);
    expect(report.verdict).toBe('partial');
    expect(report.not_accepted.map((event) => event.said)).toEqual([multi.rot.said]);
  });
});

describe('signify-ts weighted thresholds', () => {
  it('a single clause is written flat, and Kestrel rebuilds it', () => {
    expect(weighted.icp.sad.kt).toEqual(weighted.half);
    const icp = incept(digest, {
      keys: weighted.icp.sad.k,
      signingThreshold: weighted.half,
      nextKeyDigests: weighted.icp.sad.n,
      nextThreshold: weighted.half,
    });
    const rot = rotate(digest, {
      prefix: icp.said,
      keys: weighted.rot.sad.k,
      prior: icp.said,
      sn: 1,
      signingThreshold: weighted.half,
      nextKeyDigests: weighted.rot.sad.n,
      nextThreshold: weighted.half,
    });
    expect(kestrelSigned(icp, weighted.icpSigs)).toEqual(weighted.messages[0]);
    expect(kestrelSigned(rot, weighted.rotSigs)).toEqual(weighted.messages[1]);
  });

  it('Kestrel verifies each message and accepts the KEL (two of three halves sign)', async () => {
    checkInKestrel(weighted.messages[0]!, weighted.icp.sad.k);
    expect(
      checkInKestrel(weighted.messages[1]!, weighted.rot.sad.k, weighted.icp.sad.n).exposed,
    ).toEqual([1, 2]);
    await expectAllAccepted(crypto, weighted.messages, {
      [weighted.icp.pre]: [weighted.icp.said, weighted.rot.said],
    });
  });
});

describe('signify-ts witnessed KEL: 3 witnesses, cuts and adds, receipts', () => {
  it('signify writes the inception toad as a hex string and the rotation toad as an integer', () => {
    expect(witnessed.icp.sad.bt).toBe('3'); // ample(3) = 3, incept() defaults to intive=false
    expect(witnessed.rot.raw).toContain('"bt":2,');
    expect(witnessed.rot.sad.br).toEqual([wit('witB')]);
    expect(witnessed.rot.sad.ba).toEqual([wit('witD')]);
  });

  it('Kestrel verifies the controller signatures, witness signatures and receipt couples', () => {
    const icp = checkInKestrel(witnessed.messages[0]!, witnessed.icp.sad.k);
    expect(icp.attachments.witnessSignatures.map((s) => s.index)).toEqual([0, 1, 2]);
    const rot = checkInKestrel(witnessed.messages[1]!, witnessed.rot.sad.k, witnessed.icp.sad.n);
    expect(rot.attachments.witnessSignatures.map((s) => s.index)).toEqual([0, 2]);
    checkInKestrel(witnessed.messages[2]!, witnessed.rot.sad.k);

    const rct = frameOne(witnessed.messages[3]!);
    expect(rct.body.sad.t).toBe('rct');
    const couples = readAttachments(rct.attachments).receiptCouples;
    expect(couples.map((c) => c.prefix)).toEqual([wit('witA'), wit('witD'), wit('watcher')]);
    for (const couple of couples) {
      expect(couple.signature.code).toBe('0B');
      expect(
        verifyMatterSignature(
          crypto,
          couple.prefix,
          couple.signature,
          textToBytes(witnessed.ixn.raw),
        ),
      ).toBe(true);
    }
  });

  it('the event processor accepts the "bt":2 rotation, and the -C couples witness the interaction', async () => {
    const { report, processor } = await expectAllAccepted(crypto, witnessed.messages, {
      [witnessed.icp.pre]: [witnessed.icp.said, witnessed.rot.said, witnessed.ixn.said],
    });
    const state = report.accepted[witnessed.icp.pre]!.state;
    expect(state.b).toEqual(witnessed.after);
    expect(state.bt).toBe('2');
    const ixn = processor.store.event(witnessed.icp.pre, witnessed.ixn.said)!;
    expect(ixn.witnessSignatures).toHaveLength(2); // witA and witD couples count as their indexed sigs
    expect(ixn.receipts.map((couple) => couple.prefix)).toEqual([wit('watcher')]); // a non-witness receipt
  });

  it('the receipt body is the one Kestrel builds', () => {
    const rct = receipt(digest, { prefix: witnessed.icp.pre, sn: 2, said: witnessed.ixn.said });
    expect(text(rct.raw)).toBe(witnessed.rct.raw);
    const couples = receiptCouples(
      ['witA', 'witD', 'watcher'].map((path) => ({
        prefix: wit(path),
        signature: signUnindexed(
          crypto,
          kestrelKey(path, false).seed,
          textToBytes(witnessed.ixn.raw),
        ),
      })),
    );
    expect(kestrelMessagize(rct.raw, [couples])).toEqual(witnessed.messages[3]);
  });

  it('the inception rebuilds exactly with Kestrel (hex toad, self-addressing code E)', () => {
    const icp = incept(digest, {
      keys: witnessed.icp.sad.k,
      nextKeyDigests: witnessed.icp.sad.n,
      witnesses: witnessed.witnesses,
      code: 'E',
    });
    expect(
      kestrelSigned(icp, witnessed.icpSigs, kestrelWitnessSigs(icp.raw, witnessed.icpWitnessSigs)),
    ).toEqual(witnessed.messages[0]);
  });

  /*
   * signify's rotation differs from keripy's only in `"bt":2` versus `"bt":"2"` (hence in `v`, the
   * size, and `d`). What reproduces signify's bytes: not `rotate()` (keripy's default, hex), not
   * `rotate({intive: true})` (keripy's intive makes kt and nt integers too), but `buildFromFields`
   * with signify's field map, which keeps the integer.
   */
  it('the "bt":2 rotation: rotate() gives keripy\'s form, buildFromFields reproduces signify\'s', () => {
    const inputs = {
      prefix: witnessed.icp.pre,
      keys: witnessed.rot.sad.k,
      prior: witnessed.icp.said,
      sn: 1,
      nextKeyDigests: witnessed.rot.sad.n,
      witnesses: witnessed.witnesses,
      cuts: [wit('witB')],
      adds: [wit('witD')],
      witnessThreshold: 2,
    };
    const keripyForm = rotate(digest, inputs);
    expect(keripyForm.sad.bt).toBe('2');
    expect(text(keripyForm.raw)).not.toBe(witnessed.rot.raw);
    const { v: _v1, d: _d1, bt: bt1, ...restKeripy } = keripyForm.sad;
    const { v: _v2, d: _d2, bt: bt2, ...restSignify } = witnessed.rot.sad;
    expect(restKeripy).toEqual(restSignify);
    expect([bt1, bt2]).toEqual(['2', 2]);

    const intive = rotate(digest, { ...inputs, intive: true });
    expect([intive.sad.kt, intive.sad.nt, intive.sad.bt]).toEqual([1, 1, 2]);
    expect(text(intive.raw)).not.toBe(witnessed.rot.raw);

    const exact = buildFromFields(digest, { ...witnessed.rot.sad, d: '' } as Sad);
    expect(text(exact.raw)).toBe(witnessed.rot.raw);
    expect(exact.said).toBe(witnessed.rot.said);
    expect(
      kestrelSigned(
        exact,
        witnessed.rotSigs,
        kestrelWitnessSigs(exact.raw, witnessed.rotWitnessSigs),
      ),
    ).toEqual(witnessed.messages[1]);
  });

  it("Kestrel accepts the same rotation in keripy's hex form too, with the same key state", async () => {
    const hexRot = new Serder(
      rotate(digest, {
        prefix: witnessed.icp.pre,
        keys: witnessed.rot.sad.k,
        prior: witnessed.icp.said,
        sn: 1,
        nextKeyDigests: witnessed.rot.sad.n,
        witnesses: witnessed.witnesses,
        cuts: [wit('witB')],
        adds: [wit('witD')],
        witnessThreshold: 2,
      }).sad,
    );
    const hexMessage = signifySigned(
      hexRot,
      witnessed.rotSigs,
      witnessSigsText(hexRot, witnessed.rotWitnessSigs),
    );
    const intForm = await expectAllAccepted(crypto, witnessed.messages.slice(0, 2), {
      [witnessed.icp.pre]: [witnessed.icp.said, witnessed.rot.said],
    });
    const hexForm = await expectAllAccepted(crypto, [witnessed.messages[0]!, hexMessage], {
      [witnessed.icp.pre]: [witnessed.icp.said, hexRot.said],
    });
    const { d: _d1, ee: ee1, ...intState } = intForm.report.accepted[witnessed.icp.pre]!.state;
    const { d: _d2, ee: ee2, ...hexState } = hexForm.report.accepted[witnessed.icp.pre]!.state;
    expect(intState).toEqual(hexState);
    expect({ ...ee1, d: '' }).toEqual({ ...ee2, d: '' });
  });
});

describe('signify-ts delegation: dip and drt approved by the delegator', () => {
  it('Kestrel verifies the dip and drt and reads their seal source couples', () => {
    const dip = checkInKestrel(delegation.messages[2]!, delegation.dip.sad.k);
    expect(delegation.dip.sad.di).toBe(delegation.delegatorIcp.pre);
    expect(dip.attachments.sourceSeals).toEqual([{ sn: 1n, said: delegation.anchorDip.said }]);
    const drt = checkInKestrel(delegation.messages[4]!, delegation.drt.sad.k, delegation.dip.sad.n);
    expect(drt.attachments.sourceSeals).toEqual([{ sn: 2n, said: delegation.anchorDrt.said }]);
  });

  it("Kestrel's builders give the same dip and drt", () => {
    const dip = incept(digest, {
      keys: delegation.dip.sad.k,
      nextKeyDigests: delegation.dip.sad.n,
      delegator: delegation.delegatorIcp.pre,
    });
    const drt = rotate(digest, {
      ilk: 'drt',
      prefix: dip.said,
      keys: delegation.drt.sad.k,
      prior: dip.said,
      sn: 1,
      nextKeyDigests: delegation.drt.sad.n,
    });
    expect(
      kestrelSigned(
        dip,
        delegation.dipSigs,
        sealSourceCouples([{ sn: 1, said: delegation.anchorDip.said }]),
      ),
    ).toEqual(delegation.messages[2]);
    expect(
      kestrelSigned(
        drt,
        delegation.drtSigs,
        sealSourceCouples([{ sn: 2, said: delegation.anchorDrt.said }]),
      ),
    ).toEqual(delegation.messages[4]);
  });

  it('the event processor accepts both KELs', async () => {
    const { report } = await expectAllAccepted(crypto, delegation.messages, {
      [delegation.delegatorIcp.pre]: [
        delegation.delegatorIcp.said,
        delegation.anchorDip.said,
        delegation.anchorDrt.said,
      ],
      [delegation.dip.pre]: [delegation.dip.said, delegation.drt.said],
    });
    expect(report.accepted[delegation.dip.pre]!.state.di).toBe(delegation.delegatorIcp.pre);
  });
});

describe('signify-ts transferable receipt (-F group from messagize with a SealEvent)', () => {
  it('the multi-key controller receipts the single-key inception; Kestrel applies it', async () => {
    const rct = new Serder({
      v: versify(Protocols.KERI, Vrsn_1_0, Serials.JSON, 0),
      t: 'rct',
      d: single.icp.said,
      i: single.icp.pre,
      s: '0',
    });
    const sigers = [
      signifySiger(keys.signer('multi.n2'), single.icp.raw, 0),
      signifySiger(keys.signer('multi.n1'), single.icp.raw, 1),
    ];
    const message = signifyMessagize(rct, sigers, [
      'SealEvent',
      { i: multi.icp.pre, s: '1', d: multi.rot.said },
    ]);
    const ours = kestrelMessagize(
      receipt(digest, { prefix: single.icp.pre, sn: 0, said: single.icp.said }).raw,
      [
        transferableSignatureGroups([
          {
            prefix: multi.icp.pre,
            sn: 1,
            said: multi.rot.said,
            signatures: [0, 1].map((index) =>
              kestrelSignature(
                { path: ['multi.n2', 'multi.n1'][index]!, index },
                textToBytes(single.icp.raw),
              ),
            ),
          },
        ]),
      ],
    );
    expect(ours).toEqual(message);
    const { processor } = await expectAllAccepted(
      crypto,
      [...multi.messages, ...single.messages, message],
      {},
    );
    const receipted = processor.store.event(single.icp.pre, single.icp.said)!;
    expect(receipted.transferableReceipts.map((r) => [r.prefix, r.sn, r.said])).toEqual([
      [multi.icp.pre, '1', multi.rot.said],
      [multi.icp.pre, '1', multi.rot.said],
    ]);
  });
});

describe('signify-ts intive inception', () => {
  it('numeric thresholds as JSON integers: same bytes as Kestrel (keripy) intive, and accepted', async () => {
    const icp = signifyIncept({
      keys: ['intive0', 'intive1'].map(pub),
      ndigs: ['intive2', 'intive3'].map(dig),
      intive: true,
      code: 'E',
    });
    expect(icp.raw).toContain('"kt":1,');
    expect(icp.raw).toContain('"bt":0,');
    const ours = incept(digest, { keys: icp.sad.k, nextKeyDigests: icp.sad.n, intive: true });
    expect(text(ours.raw)).toBe(icp.raw);
    const message = signifySigned(icp, [{ path: 'intive0', index: 0 }]);
    checkInKestrel(message, icp.sad.k);
    await expectAllAccepted(crypto, [message], { [icp.pre]: [icp.said] });
  });

  it('a numeric kt with a weighted nt loses its nt field: Kestrel rejects the event', async () => {
    const icp = signifyIncept({
      keys: ['intive0', 'intive1'].map(pub),
      isith: '1',
      ndigs: ['intive2', 'intive3'].map(dig),
      nsith: ['1/2', '1/2'],
      intive: true,
      code: 'E',
    });
    expect(icp.sad.nt).toBeUndefined();
    expect(icp.raw).not.toContain('"nt"');
    const message = signifySigned(icp, [{ path: 'intive0', index: 0 }]);
    expectSaidsValid(crypto, frameOne(message)); // a consistent SAID over a malformed body
    const { report } = await validateStream(crypto, [message]);
    expect(report.verdict).toBe('rejected');
    expect(report.errors.join('\n')).toMatch(/Fields of 'icp' must be/);
  });

  it('a weighted kt with a numeric nt keeps nt as a string (keripy intive would write 1)', () => {
    const icp = signifyIncept({
      keys: ['intive0', 'intive1'].map(pub),
      isith: ['1/2', '1/2'],
      ndigs: ['intive2'].map(dig),
      nsith: '1',
      intive: true,
      code: 'E',
    });
    expect(icp.sad.nt).toBe('1');
    const ours = incept(digest, {
      keys: icp.sad.k,
      signingThreshold: ['1/2', '1/2'],
      nextKeyDigests: icp.sad.n,
      nextThreshold: '1',
      intive: true,
    });
    expect(ours.sad.nt).toBe(1);
  });
});

describe('Kestrel builds and signs, signify-ts parses and verifies', () => {
  const k = (path: string) => kestrelKey(path).publicKey.qb64;
  const kw = (path: string) => kestrelKey(path, false).publicKey.qb64;
  const kd = (path: string) => nextKeyDigest(crypto, k(path)).qb64;
  const sign = (built: BuiltMessage, sigs: readonly Sig[]) =>
    sigs.map((sig) => kestrelSignature(sig, built.raw));
  const wsign = (built: BuiltMessage, sigs: readonly Sig[]) =>
    sigs.map((sig) => signIndexed(crypto, kestrelKey(sig.path, false).seed, built.raw, sig.index));

  const witnesses = ['k.witA', 'k.witB'].map(kw);
  const icp = incept(digest, {
    keys: ['k.c0', 'k.c1', 'k.c2'].map(k),
    signingThreshold: '2',
    nextKeyDigests: ['k.n0', 'k.n1', 'k.n2'].map(kd),
    nextThreshold: '2',
    witnesses,
  });
  const prefix = icp.said;
  const rot = rotate(digest, {
    prefix,
    keys: ['k.n1', 'k.n0', 'k.f0'].map(k),
    prior: icp.said,
    sn: 1,
    signingThreshold: '2',
    nextKeyDigests: ['k.o0', 'k.o1', 'k.o2'].map(kd),
    nextThreshold: '2',
    witnesses,
    cuts: [kw('k.witB')],
    adds: [kw('k.witC')],
    witnessThreshold: 2,
  });
  const ixn = interact(digest, {
    prefix,
    prior: rot.said,
    sn: 2,
    data: [{ i: prefix, s: '1', d: rot.said }, { d: icp.said }],
  });
  const rct = receipt(digest, { prefix, sn: 2, said: ixn.said });
  const weightedIcp = incept(digest, {
    keys: ['k.w0', 'k.w1', 'k.w2'].map(k),
    signingThreshold: [['1/2', '1/2'], ['1']],
    nextKeyDigests: ['k.v0'].map(kd),
    nextThreshold: '1',
  });
  const rotSigs: Sig[] = [
    { path: 'k.n1', index: 0, ondex: 1 },
    { path: 'k.n0', index: 1, ondex: 0 },
    { path: 'k.f0', index: 2, only: true },
  ];
  const messages = [
    kestrelMessagize(icp.raw, [
      controllerSignatures(
        sign(
          icp,
          ['k.c0', 'k.c1', 'k.c2'].map((path, index) => ({ path, index })),
        ),
      ),
      witnessSignatures(
        wsign(icp, [
          { path: 'k.witA', index: 0 },
          { path: 'k.witB', index: 1 },
        ]),
      ),
    ]),
    kestrelMessagize(rot.raw, [
      controllerSignatures(sign(rot, rotSigs)),
      witnessSignatures(
        wsign(rot, [
          { path: 'k.witA', index: 0 },
          { path: 'k.witC', index: 1 },
        ]),
      ),
    ]),
    kestrelMessagize(ixn.raw, [
      controllerSignatures(
        sign(ixn, [
          { path: 'k.n1', index: 0 },
          { path: 'k.f0', index: 2 },
        ]),
      ),
    ]),
    kestrelMessagize(rct.raw, [
      receiptCouples(
        ['k.witA', 'k.witC'].map((path) => ({
          prefix: kw(path),
          signature: signUnindexed(crypto, kestrelKey(path, false).seed, ixn.raw),
        })),
      ),
    ]),
    kestrelMessagize(weightedIcp.raw, [
      controllerSignatures(
        sign(weightedIcp, [
          { path: 'k.w0', index: 0 },
          { path: 'k.w1', index: 1 },
          { path: 'k.w2', index: 2 },
        ]),
      ),
    ]),
  ];

  beforeAll(async () => {
    // The KELs are valid in Kestrel before signify is asked about them.
    await expectAllAccepted(crypto, messages, {
      [prefix]: [icp.said, rot.said, ixn.said],
      [weightedIcp.said]: [weightedIcp.said],
    });
  });

  it("signify's Serder re-serializes every body to the same bytes and verifies its SAID", () => {
    for (const message of messages) {
      const { serder, body } = readWithSignify(message);
      expect(serder.raw).toBe(body);
      // An rct has no SAID of its own: its `d` is the receipted event's.
      if (serder.sad.t === 'rct') expect(serder.sad.d).toBe(ixn.said);
      else expect(signifySaidVerifies(serder.sad)).toBe(true);
    }
    expect(readWithSignify(messages[0]!).serder.sad.i).toBe(prefix);
  });

  it("signify's Verfer verifies every indexed signature and its Tholder is satisfied", () => {
    // [message, its signing keys, its signing threshold] for every controller-signed message.
    const signed = [
      [messages[0], icp.sad.k, icp.sad.kt],
      [messages[1], rot.sad.k, rot.sad.kt],
      [messages[2], rot.sad.k, rot.sad.kt],
      [messages[4], weightedIcp.sad.k, weightedIcp.sad.kt],
    ] as const;
    for (const [message, keyList, threshold] of signed) {
      const { body, groups } = readWithSignify(message!);
      const sigers = groups.find((group) => group.code === '-A')!.sigers;
      for (const siger of sigers)
        expect(signifySigerVerifies(siger, keyList as string[], body)).toBe(true);
      expect(new Tholder({ sith: threshold }).satisfy(sigers.map((s) => s.index))).toBe(true);
    }
    expect(weightedIcp.sad.kt).toEqual([['1/2', '1/2'], ['1']]);
  });

  it('signify reads the dual-indexed rotation signatures and checks the exposed next keys', () => {
    const { groups, body } = readWithSignify(messages[1]!);
    const sigers = groups.find((group) => group.code === '-A')!.sigers;
    expect(sigers.map((s) => [s.code, s.index, s.ondex])).toEqual([
      ['2A', 0, 1],
      ['2A', 1, 0],
      ['B', 2, undefined],
    ]);
    const priorNext = icp.sad.n as string[];
    const ondices: number[] = [];
    for (const siger of sigers) {
      if (siger.ondex === undefined) continue;
      const key = (rot.sad.k as string[])[siger.index]!;
      expect(new Diger({ qb64: priorNext[siger.ondex]! }).verify(textToBytes(key))).toBe(true);
      expect(signifySigerVerifies(siger, rot.sad.k as string[], body)).toBe(true);
      ondices.push(siger.ondex);
    }
    expect(new Tholder({ sith: icp.sad.nt }).satisfy(ondices)).toBe(true);
  });

  it('signify verifies the witness signatures (-B) and the receipt couples (-C)', () => {
    const icpWigs = readWithSignify(messages[0]!).groups.find((g) => g.code === '-B')!.sigers;
    for (const wiger of icpWigs)
      expect(signifySigerVerifies(wiger, witnesses, text(icp.raw))).toBe(true);
    const rotWigs = readWithSignify(messages[1]!).groups.find((g) => g.code === '-B')!.sigers;
    const after = [kw('k.witA'), kw('k.witC')];
    for (const wiger of rotWigs)
      expect(signifySigerVerifies(wiger, after, text(rot.raw))).toBe(true);
    const { serder, groups } = readWithSignify(messages[3]!);
    expect(serder.sad.d).toBe(ixn.said);
    const couples = groups.find((g) => g.code === '-C')!.couples;
    expect(couples.map((c) => c.verfer.qb64)).toEqual(after);
    for (const { verfer, cigar } of couples)
      expect(verfer.verify(cigar.raw, text(ixn.raw))).toBe(true);
  });

  it("Kestrel's keripy-form rotation (hex bt) is what signify's rotate builds with intive=false", () => {
    const theirs = signifyRotate({
      pre: prefix,
      keys: rot.sad.k as string[],
      dig: icp.said,
      sn: 1,
      isith: '2',
      ndigs: rot.sad.n as string[],
      nsith: '2',
      wits: witnesses,
      cuts: [kw('k.witB')],
      adds: [kw('k.witC')],
      toad: 2,
      intive: false,
    });
    expect(theirs.raw).toBe(text(rot.raw));
  });
});

describe('signify-ts quirks, pinned', () => {
  it('messagize refuses non-transferable witness signatures and receipt Cigars', () => {
    const icp = witnessed.icp;
    const siger = signifySiger(keys.signer('wctl0'), icp.raw, 0);
    const wiger = signifySiger(keys.signer('witA', false), icp.raw, 0);
    expect(wiger.verfer?.qb64.startsWith('B')).toBe(true);
    // Its .d.ts even types `wigers` as Cigar[], though they are indexed signatures (Siger).
    const wigers = [wiger] as unknown as Cigar[];
    expect(() => signifyMessagize(icp, [siger], undefined, wigers)).toThrow(/tranferable prefix/);
    const cigar = signifyCigar(keys.signer('witA', false), icp.raw);
    expect(() => signifyMessagize(icp, undefined, undefined, undefined, [cigar])).toThrow(
      /tranferable prefix/,
    );
  });

  it("messagize reads a SealEvent's hex sn as decimal", () => {
    const rct = witnessed.rct;
    const siger = signifySiger(keys.signer('wctl0'), witnessed.ixn.raw, 0);
    const message = text(
      signifyMessagize(
        rct,
        [siger],
        ['SealEvent', { i: witnessed.icp.pre, s: '10', d: witnessed.icp.said }],
      ),
    );
    const written = message.slice(rct.raw.length + 4 + 44, rct.raw.length + 4 + 44 + 24);
    expect(new Seqner({ qb64: written }).sn).toBe(10); // keripy writes Seqner(snh='10'): 16
    expect(new Seqner({ snh: '10' }).sn).toBe(16);
  });

  it('Serder keeps a wrong SAID; Kestrel finds it', () => {
    const sad = { ...single.rot.sad, d: `E${'A'.repeat(43)}` };
    const serder = new Serder(sad);
    expect(serder.said).toBe(sad.d);
    expect(new Saider({ qb64: sad.d }).verify(sad, true, true)).toBe(false);
    const framed = frameOne(textToBytes(serder.raw));
    const { raw, version } = framed.body;
    expect(findInvalidSaid(raw, framed.body.sad, version.kind, SAID_FIELDS.rot, digest)).toBe('d');
  });

  it('Prefixer.verify throws; Saider.verify cannot check a self-addressing inception', () => {
    const sad = structuredClone(multi.icp.sad);
    expect(() => new Prefixer({ qb64: multi.icp.pre }).verify(sad, true)).toThrow(
      /Non-incepting ilk/,
    );
    expect(new Saider({ qb64: multi.icp.said }).verify(sad, true, true)).toBe(false);
    expect(signifySaidVerifies(sad)).toBe(true);
  });

  it('incept needs an explicit code for more than one key; keripy and Kestrel default to E', () => {
    const inputs = {
      keys: ['multi.m0', 'multi.m1', 'multi.m2'].map(pub),
      isith: '2',
      ndigs: [],
      nsith: '0',
    };
    expect(() => signifyIncept(inputs)).toThrow(/Empty Material/);
    const ours = incept(digest, { keys: inputs.keys, signingThreshold: '2', nextThreshold: '0' });
    expect(text(ours.raw)).toBe(signifyIncept({ ...inputs, code: 'E' }).raw);
  });

  it('incept checks nt against the key count, not the next digests; Kestrel refuses like keripy', () => {
    const inputs = {
      keys: ['multi.m0', 'multi.m1', 'multi.m2'].map(pub),
      isith: '2',
      ndigs: [dig('multi.n0')],
      nsith: '2',
      code: 'E',
    };
    expect(signifyIncept(inputs).sad.nt).toBe('2');
    expect(() =>
      incept(digest, {
        keys: inputs.keys,
        signingThreshold: '2',
        nextKeyDigests: inputs.ndigs,
        nextThreshold: '2',
      }),
    ).toThrow(ThresholdError);
  });

  it('rotate cannot abandon a KEL (n empty, nt "0"); Kestrel builds it as keripy does', () => {
    const base = { pre: single.icp.pre, keys: [pub('single1')], dig: single.icp.said, sn: 1 };
    expect(() => signifyRotate({ ...base, ndigs: [] })).toThrow(/Signing threshold failure/);
    expect(() => signifyRotate({ ...base, ndigs: [], nsith: '0' })).toThrow(/less than 1/);
    const abandon = rotate(digest, {
      prefix: base.pre,
      keys: base.keys,
      prior: base.dig,
      sn: 1,
      nextThreshold: '0',
    });
    expect([abandon.sad.nt, abandon.sad.n]).toEqual(['0', []]);
  });

  it('deversify overwrites the shared Vrsn_1_0 with the version it parses', () => {
    try {
      deversify('KERI21JSON000000_');
      expect([Vrsn_1_0.major, Vrsn_1_0.minor]).toEqual([2, 1]);
    } finally {
      Vrsn_1_0.major = 1;
      Vrsn_1_0.minor = 0;
    }
  });
});
