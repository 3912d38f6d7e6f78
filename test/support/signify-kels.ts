/**
 * The KELs signify-ts 0.3.0 builds and signs for the interop test (single-key, multi-key with a
 * partial rotation, weighted, witnessed, delegated), and the helpers that make the same messages
 * with Kestrel's builders and signatures from the same salt and paths.
 */

import { type AttachmentGroup, bytesToText } from '@kestrel/cesr';
import {
  type BuiltMessage,
  controllerSignatures,
  deriveSigner,
  type Signer as KestrelSigner,
  messagize as kestrelMessagize,
  saltFromRaw,
  signIndexed,
  witnessSignatures,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import {
  Protocols,
  ready,
  Serder,
  Serials,
  incept as signifyIncept,
  interact as signifyInteract,
  messagize as signifyMessagize,
  rotate as signifyRotate,
  Vrsn_1_0,
  versify,
} from 'signify-ts';
import { expectSaidsValid, expectSignaturesValid, frameOne } from './interop.js';
import {
  SALT_RAW,
  SignifyKeys,
  signifyCigar,
  signifyNextDigest,
  signifyReceiptCouples,
  signifySealSourceCouple,
  signifySiger,
  signifyWitnessSignatures,
  withAttachments,
} from './signify.js';

await ready();
export const crypto = await createNodeCrypto();
export const digest = crypto.digest;
export const keys = new SignifyKeys();
export const salt = saltFromRaw(SALT_RAW);
const kestrelKeys = new Map<string, KestrelSigner>();

/** Kestrel's key pair at the same path and tier as `keys.signer(path)`. */
export function kestrelKey(path: string, transferable = true): KestrelSigner {
  const id = `${path}/${transferable}`;
  let signer = kestrelKeys.get(id);
  if (!signer) {
    signer = deriveSigner(crypto, salt, path, { tier: 'temp', transferable });
    kestrelKeys.set(id, signer);
  }
  return signer;
}

export const pub = (path: string) => keys.signer(path).verfer.qb64;
export const wit = (path: string) => keys.signer(path, false).verfer.qb64;
export const dig = (path: string) => signifyNextDigest(keys.signer(path));

/** Who signs, at which index (and ondex, or current-only). */
export interface Sig {
  readonly path: string;
  readonly index: number;
  readonly ondex?: number;
  readonly only?: boolean;
}

/** A signify body signed by signify (`messagize`), with extra attachment text after the -A group. */
export function signifySigned(
  serder: Serder,
  sigs: readonly Sig[],
  ...extra: string[]
): Uint8Array {
  const sigers = sigs.map((sig) => signifySiger(keys.signer(sig.path), serder.raw, sig.index, sig));
  return withAttachments(signifyMessagize(serder, sigers), ...extra);
}

export function kestrelSignature(sig: Sig, raw: Uint8Array) {
  const options = sig.only
    ? { currentOnly: true }
    : sig.ondex !== undefined
      ? { ondex: sig.ondex }
      : {};
  return signIndexed(crypto, kestrelKey(sig.path).seed, raw, sig.index, options);
}

/** The same message made by Kestrel: its builder's body, its signatures, its attachment writer. */
export function kestrelSigned(
  built: BuiltMessage,
  sigs: readonly Sig[],
  ...groups: AttachmentGroup[]
): Uint8Array {
  const signatures = sigs.map((sig) => kestrelSignature(sig, built.raw));
  return kestrelMessagize(built.raw, [controllerSignatures(signatures), ...groups]);
}

/** Kestrel-side -B group of witness signatures (non-transferable witness keys). */
export function kestrelWitnessSigs(raw: Uint8Array, sigs: readonly Sig[]): AttachmentGroup {
  return witnessSignatures(
    sigs.map((sig) => signIndexed(crypto, kestrelKey(sig.path, false).seed, raw, sig.index)),
  );
}

export function witnessSigsText(serder: Serder, sigs: readonly Sig[]): string {
  return signifyWitnessSignatures(
    sigs.map((sig) => signifySiger(keys.signer(sig.path, false), serder.raw, sig.index)),
  );
}

export const text = (bytes: Uint8Array) => bytesToText(bytes);

/** Frames a signify message in Kestrel and checks its SAIDs and controller signatures. */
export function checkInKestrel(
  message: Uint8Array,
  signingKeys: readonly string[],
  priorNext?: readonly string[],
) {
  const framed = frameOne(message);
  expectSaidsValid(crypto, framed);
  return { framed, ...expectSignaturesValid(crypto, framed, signingKeys, priorNext) };
}

// ---- the KELs signify-ts builds ---------------------------------------------------------------

/** One key per event, basic (non self-addressing) prefix: icp, rot, ixn with seals. */
export const single = (() => {
  const icp = signifyIncept({ keys: [pub('single0')], ndigs: [dig('single1')] });
  const rot = signifyRotate({
    pre: icp.pre,
    keys: [pub('single1')],
    dig: icp.said,
    sn: 1,
    ndigs: [dig('single2')],
  });
  const seals = [{ i: icp.pre, s: '0', d: icp.said }, { d: rot.said }];
  const ixn = signifyInteract({
    pre: icp.pre,
    dig: rot.said,
    sn: 2,
    data: seals,
    version: undefined,
    kind: undefined,
  });
  const sigs: Sig[] = [{ path: 'single0', index: 0 }];
  const rotSigs: Sig[] = [{ path: 'single1', index: 0 }];
  return {
    icp,
    rot,
    ixn,
    seals,
    sigs,
    rotSigs,
    messages: [signifySigned(icp, sigs), signifySigned(rot, rotSigs), signifySigned(ixn, rotSigs)],
  };
})();

/**
 * Three keys, kt "2". The rotation exposes two of the three pre-rotated keys, in another order
 * (so index != ondex, code 2A), adds a fresh key that signs as current-only (code B), and keeps
 * the third pre-rotated key in reserve.
 */
export const multi = (() => {
  const icp = signifyIncept({
    keys: ['multi.m0', 'multi.m1', 'multi.m2'].map(pub),
    isith: '2',
    ndigs: ['multi.n0', 'multi.n1', 'multi.n2'].map(dig),
    nsith: '2',
    code: 'E',
  });
  const rot = signifyRotate({
    pre: icp.pre,
    keys: ['multi.n2', 'multi.n1', 'multi.f0'].map(pub),
    dig: icp.said,
    sn: 1,
    isith: '2',
    ndigs: ['multi.o0', 'multi.o1', 'multi.o2'].map(dig),
    nsith: '2',
  });
  const ixn = signifyInteract({
    pre: icp.pre,
    dig: rot.said,
    sn: 2,
    data: [{ i: icp.pre, s: '1', d: rot.said }],
    version: undefined,
    kind: undefined,
  });
  const icpSigs: Sig[] = [
    { path: 'multi.m0', index: 0 },
    { path: 'multi.m1', index: 1 },
  ];
  const rotSigs: Sig[] = [
    { path: 'multi.n2', index: 0, ondex: 2 },
    { path: 'multi.n1', index: 1, ondex: 1 },
    { path: 'multi.f0', index: 2, only: true },
  ];
  const ixnSigs: Sig[] = [
    { path: 'multi.n2', index: 0 },
    { path: 'multi.f0', index: 2 },
  ];
  return {
    icp,
    rot,
    ixn,
    icpSigs,
    rotSigs,
    ixnSigs,
    messages: [
      signifySigned(icp, icpSigs),
      signifySigned(rot, rotSigs),
      signifySigned(ixn, ixnSigs),
    ],
  };
})();

/** Weighted thresholds ['1/2','1/2','1/2'] before and after a rotation. */
export const weighted = (() => {
  const half = ['1/2', '1/2', '1/2'];
  const icp = signifyIncept({
    keys: ['weighted.x0', 'weighted.x1', 'weighted.x2'].map(pub),
    isith: half,
    ndigs: ['weighted.y0', 'weighted.y1', 'weighted.y2'].map(dig),
    nsith: half,
    code: 'E',
  });
  const rot = signifyRotate({
    pre: icp.pre,
    keys: ['weighted.y0', 'weighted.y1', 'weighted.y2'].map(pub),
    dig: icp.said,
    sn: 1,
    isith: half,
    ndigs: ['weighted.z0', 'weighted.z1', 'weighted.z2'].map(dig),
    nsith: half,
  });
  const icpSigs: Sig[] = [
    { path: 'weighted.x0', index: 0 },
    { path: 'weighted.x2', index: 2 },
  ];
  const rotSigs: Sig[] = [
    { path: 'weighted.y1', index: 1 },
    { path: 'weighted.y2', index: 2 },
  ];
  return {
    half,
    icp,
    rot,
    icpSigs,
    rotSigs,
    messages: [signifySigned(icp, icpSigs), signifySigned(rot, rotSigs)],
  };
})();

/**
 * Three witnesses; a rotation that cuts one and adds one with toad 2 (signify writes "bt":2); an
 * interaction receipted afterwards by an `rct` with -C couples (witnesses' and a watcher's Cigars).
 */
export const witnessed = (() => {
  const witnesses = ['witA', 'witB', 'witC'].map(wit);
  const icp = signifyIncept({
    keys: [pub('wctl0')],
    ndigs: [dig('wctl1')],
    wits: witnesses,
    code: 'E',
  });
  const rot = signifyRotate({
    pre: icp.pre,
    keys: [pub('wctl1')],
    dig: icp.said,
    sn: 1,
    ndigs: [dig('wctl2')],
    wits: witnesses,
    cuts: [wit('witB')],
    adds: [wit('witD')],
    toad: 2,
  });
  const after = ['witA', 'witC', 'witD'].map(wit);
  const ixn = signifyInteract({
    pre: icp.pre,
    dig: rot.said,
    sn: 2,
    data: [{ d: rot.said }],
    version: undefined,
    kind: undefined,
  });
  // signify-ts has no receipt builder: the rct body is made from its field map.
  const rct = new Serder({
    v: versify(Protocols.KERI, Vrsn_1_0, Serials.JSON, 0),
    t: 'rct',
    d: ixn.said,
    i: icp.pre,
    s: '2',
  });
  const couples = [
    keys.signer('witA', false),
    keys.signer('witD', false),
    keys.signer('watcher', false),
  ].map((signer) => signifyCigar(signer, ixn.raw));
  const icpWitnessSigs: Sig[] = [
    { path: 'witA', index: 0 },
    { path: 'witB', index: 1 },
    { path: 'witC', index: 2 },
  ];
  const rotWitnessSigs: Sig[] = [
    { path: 'witA', index: 0 },
    { path: 'witD', index: 2 },
  ];
  const icpSigs: Sig[] = [{ path: 'wctl0', index: 0 }];
  const rotSigs: Sig[] = [{ path: 'wctl1', index: 0 }];
  return {
    witnesses,
    after,
    icp,
    rot,
    ixn,
    rct,
    couples,
    icpSigs,
    rotSigs,
    icpWitnessSigs,
    rotWitnessSigs,
    messages: [
      signifySigned(icp, icpSigs, witnessSigsText(icp, icpWitnessSigs)),
      signifySigned(rot, rotSigs, witnessSigsText(rot, rotWitnessSigs)),
      signifySigned(ixn, rotSigs),
      withAttachments(rct.raw, signifyReceiptCouples(couples)),
    ],
  };
})();

/** A delegator and its delegate: dip and drt, each approved by an anchoring ixn of the delegator. */
export const delegation = (() => {
  const delegatorIcp = signifyIncept({ keys: [pub('dgr0')], ndigs: [dig('dgr1')], code: 'E' });
  const dip = signifyIncept({
    keys: [pub('dge0')],
    ndigs: [dig('dge1')],
    delpre: delegatorIcp.pre,
  });
  const anchorDip = signifyInteract({
    pre: delegatorIcp.pre,
    dig: delegatorIcp.said,
    sn: 1,
    data: [{ i: dip.pre, s: '0', d: dip.said }],
    version: undefined,
    kind: undefined,
  });
  const drt = signifyRotate({
    pre: dip.pre,
    keys: [pub('dge1')],
    dig: dip.said,
    sn: 1,
    ilk: 'drt',
    ndigs: [dig('dge2')],
  });
  const anchorDrt = signifyInteract({
    pre: delegatorIcp.pre,
    dig: anchorDip.said,
    sn: 2,
    data: [{ i: dip.pre, s: '1', d: drt.said }],
    version: undefined,
    kind: undefined,
  });
  const delegatorSigs: Sig[] = [{ path: 'dgr0', index: 0 }];
  const dipSigs: Sig[] = [{ path: 'dge0', index: 0 }];
  const drtSigs: Sig[] = [{ path: 'dge1', index: 0 }];
  return {
    delegatorIcp,
    dip,
    anchorDip,
    drt,
    anchorDrt,
    dipSigs,
    drtSigs,
    messages: [
      signifySigned(delegatorIcp, delegatorSigs),
      signifySigned(anchorDip, delegatorSigs),
      signifySigned(dip, dipSigs, signifySealSourceCouple(1, anchorDip.said)),
      signifySigned(anchorDrt, delegatorSigs),
      signifySigned(drt, drtSigs, signifySealSourceCouple(2, anchorDrt.said)),
    ],
  };
})();
