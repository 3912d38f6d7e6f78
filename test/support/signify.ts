/**
 * signify-ts 0.3.0 on the test side only: keys from its `Salter`, signatures from its `Signer`,
 * attachment groups written with its primitives where its `messagize` cannot write them, and a
 * small reader of CESR messages built from its primitives (signify-ts has no stream parser).
 * Nothing under packages/ may import signify-ts; these helpers exist so that the interop test
 * stays readable.
 */
import {
  Cigar,
  Counter,
  CtrDex,
  Diger,
  deversify,
  MtrDex,
  Prefixer,
  Saider,
  Salter,
  Seqner,
  Serder,
  Siger,
  type Signer,
  Tier,
  Verfer,
} from 'signify-ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The fixed 16-byte raw salt every key of the interop test comes from. */
export const SALT_RAW = encoder.encode('0123456789abcdef');

/**
 * Keys derived by signify-ts's `Salter` with the `temp` stretch (argon2id opslimit 1, memlimit 8
 * KiB, as keripy's temp tier): the same seed for the same path as Kestrel's `deriveSigner`.
 */
export class SignifyKeys {
  readonly salter = new Salter({ raw: SALT_RAW });
  private readonly cache = new Map<string, Signer>();

  /** The key pair at `path`: transferable ('D') by default, non-transferable ('B') for witnesses. */
  signer(path: string, transferable = true): Signer {
    const key = `${path}/${transferable}`;
    let signer = this.cache.get(key);
    if (!signer) {
      signer = this.salter.signer(MtrDex.Ed25519_Seed, transferable, path, Tier.low, true);
      this.cache.set(key, signer);
    }
    return signer;
  }
}

/** signify's next-key commitment: Blake3-256 of the public key's qb64 text. */
export function signifyNextDigest(signer: Signer): string {
  return new Diger({ code: MtrDex.Blake3_256 }, signer.verfer.qb64b).qb64;
}

export interface SignOptions {
  /** Position in the prior next-digest list, when it differs from `index` (partial rotation). */
  readonly ondex?: number;
  /** Signature over the current key list only (code 'B'). */
  readonly only?: boolean;
}

/** An indexed signature (`Siger`) of `raw` by `signer` at `index`. */
export function signifySiger(
  signer: Signer,
  raw: string,
  index: number,
  options: SignOptions = {},
): Siger {
  const signature = signer.sign(encoder.encode(raw), index, options.only ?? false, options.ondex);
  if (!(signature instanceof Siger))
    throw new TypeError('signify returned a non-indexed signature');
  return signature;
}

/** A non-indexed signature (`Cigar`, code '0B') of `raw` by `signer`. */
export function signifyCigar(signer: Signer, raw: string): Cigar {
  const signature = signer.sign(encoder.encode(raw));
  if (!(signature instanceof Cigar)) throw new TypeError('signify returned an indexed signature');
  return signature;
}

/**
 * -B witness indexed signatures, written with signify's `Counter`. signify's `messagize` cannot
 * do it (see the quirks in the interop test): keripy writes `WitnessIdxSigs` (-B) here.
 */
export function signifyWitnessSignatures(sigers: readonly Siger[]): string {
  return (
    new Counter({ code: CtrDex.WitnessIdxSigs, count: sigers.length }).qb64 +
    sigers.map((s) => s.qb64).join('')
  );
}

/** -C receipt couples (non-transferable prefix + `Cigar`), as keripy's `messagize(cigars=...)`. */
export function signifyReceiptCouples(cigars: readonly Cigar[]): string {
  const couples = cigars.map((cigar) => {
    if (!cigar.verfer) throw new TypeError('a receipt couple needs the Cigar of a known key');
    return cigar.verfer.qb64 + cigar.qb64;
  });
  return (
    new Counter({ code: CtrDex.NonTransReceiptCouples, count: cigars.length }).qb64 +
    couples.join('')
  );
}

/** -G seal source couple: where the delegator anchored the event (its sn and SAID). */
export function signifySealSourceCouple(sn: number, said: string): string {
  return (
    new Counter({ code: CtrDex.SealSourceCouples, count: 1 }).qb64 + new Seqner({ sn }).qb64 + said
  );
}

/** A body with attachments given as text. */
export function withAttachments(
  message: Uint8Array | string,
  ...attachments: string[]
): Uint8Array {
  const head = typeof message === 'string' ? message : decoder.decode(message);
  return encoder.encode(head + attachments.join(''));
}

// ---- reading Kestrel's messages with signify's primitives -----------------------------------

/** One attachment group as signify's primitives read it. */
export interface SignifyGroup {
  readonly code: string;
  readonly count: number;
  /** -A/-B: indexed signatures. */
  readonly sigers: Siger[];
  /** -C: (non-transferable prefix, signature) couples. */
  readonly couples: { verfer: Verfer; cigar: Cigar }[];
  /** -G: (sn, SAID) couples. */
  readonly sources: { seqner: Seqner; diger: Diger }[];
  /** -F: (prefix, sn, SAID) of the signer's establishment event, and its -A group. */
  readonly establishment?: { prefixer: Prefixer; seqner: Seqner; diger: Diger; sigers: Siger[] };
}

export interface SignifyMessage {
  /** The body as signify re-serializes it from its field map (`new Serder(sad)`). */
  readonly serder: Serder;
  /** The body exactly as received. */
  readonly body: string;
  readonly groups: SignifyGroup[];
}

/** Reads the next primitive from the front of `text` with signify's class; returns it and its length. */
function take<T extends { qb64: string }>(make: (qb64: string) => T, text: string): [T, string] {
  const item = make(text);
  return [item, text.slice(item.qb64.length)];
}

function readSigers(text: string, count: number): [Siger[], string] {
  const sigers: Siger[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    let siger: Siger;
    [siger, rest] = take((qb64) => new Siger({ qb64 }), rest);
    sigers.push(siger);
  }
  return [sigers, rest];
}

/**
 * Splits one CESR-text message the way a signify user would have to: the body size from the
 * version string (`deversify`), the body through `Serder`, then counters and primitives one by one.
 * Only the groups this test sends are read (-A -B -C -F -G).
 */
export function readWithSignify(message: Uint8Array): SignifyMessage {
  const text = decoder.decode(message);
  const versionAt = text.indexOf('"v":"') + 5;
  const [, , , sizeHex] = deversify(text.slice(versionAt, versionAt + 17));
  const size = Number.parseInt(sizeHex, 16);
  const body = text.slice(0, size);
  const serder = new Serder(JSON.parse(body));
  const groups: SignifyGroup[] = [];
  let rest = text.slice(size);
  while (rest.length > 0) {
    let counter: Counter;
    [counter, rest] = take((qb64) => new Counter({ qb64 }), rest);
    const group: SignifyGroup = {
      code: counter.code,
      count: counter.count,
      sigers: [],
      couples: [],
      sources: [],
    };
    switch (counter.code) {
      case CtrDex.ControllerIdxSigs:
      case CtrDex.WitnessIdxSigs: {
        let sigers: Siger[];
        [sigers, rest] = readSigers(rest, counter.count);
        group.sigers.push(...sigers);
        break;
      }
      case CtrDex.NonTransReceiptCouples:
        for (let i = 0; i < counter.count; i++) {
          let verfer: Verfer;
          let cigar: Cigar;
          [verfer, rest] = take((qb64) => new Verfer({ qb64 }), rest);
          [cigar, rest] = take((qb64) => new Cigar({ qb64 }, verfer), rest);
          group.couples.push({ verfer, cigar });
        }
        break;
      case CtrDex.SealSourceCouples:
        for (let i = 0; i < counter.count; i++) {
          let seqner: Seqner;
          let diger: Diger;
          [seqner, rest] = take((qb64) => new Seqner({ qb64 }), rest);
          [diger, rest] = take((qb64) => new Diger({ qb64 }), rest);
          group.sources.push({ seqner, diger });
        }
        break;
      case CtrDex.TransIdxSigGroups: {
        if (counter.count !== 1) throw new Error('only one -F group is read');
        let prefixer: Prefixer;
        let seqner: Seqner;
        let diger: Diger;
        let inner: Counter;
        let sigers: Siger[];
        [prefixer, rest] = take((qb64) => new Prefixer({ qb64 }), rest);
        [seqner, rest] = take((qb64) => new Seqner({ qb64 }), rest);
        [diger, rest] = take((qb64) => new Diger({ qb64 }), rest);
        [inner, rest] = take((qb64) => new Counter({ qb64 }), rest);
        [sigers, rest] = readSigers(rest, inner.count);
        groups.push({ ...group, establishment: { prefixer, seqner, diger, sigers } });
        continue;
      }
      default:
        throw new Error(`readWithSignify: group ${counter.code} is not read here`);
    }
    groups.push(group);
  }
  return { serder, body, groups };
}

/**
 * Verifies a body's SAID(s) with signify-ts. For a self-addressing inception (`i` == `d`) the
 * digest must be taken with both fields dummied, which only `Prefixer`'s derivation does
 * (`Saider.verify` dummies `d` alone, and `Prefixer.verify` is broken: see the quirks).
 */
export function signifySaidVerifies(sad: Record<string, unknown>): boolean {
  const copy = structuredClone(sad);
  if ((sad.t === 'icp' || sad.t === 'dip') && sad.i === sad.d) {
    const derived = new Prefixer({ code: MtrDex.Blake3_256 }, copy);
    return derived.qb64 === sad.i;
  }
  return new Saider({ qb64: String(sad.d) }).verify(copy, true, true);
}

/** signify's `Verfer.verify` of an indexed signature by the key at its index. */
export function signifySigerVerifies(siger: Siger, keys: readonly string[], raw: string): boolean {
  const key = keys[siger.index];
  return key !== undefined && new Verfer({ qb64: key }).verify(siger.raw, raw);
}
