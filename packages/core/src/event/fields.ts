/**
 * @module event/fields
 * The fields of KERI 1.0 messages, in the order they must appear (KERI spec, "Key event message
 * field order"; keripy `SerderKERI.Fields[KERI][1.0]`), and which of them are SAIDs.
 */
import type { MatterCode } from '@kestrel/cesr';

export const KEY_EVENT_ILKS = ['icp', 'rot', 'ixn', 'dip', 'drt'] as const;
export type KeyEventIlk = (typeof KEY_EVENT_ILKS)[number];

export const ESTABLISHMENT_ILKS: ReadonlySet<string> = new Set(['icp', 'rot', 'dip', 'drt']);
export const INCEPTION_ILKS: ReadonlySet<string> = new Set(['icp', 'dip']);
export const ROTATION_ILKS: ReadonlySet<string> = new Set(['rot', 'drt']);

/** Field labels per message type, in wire order. */
export const FIELDS = {
  icp: ['v', 't', 'd', 'i', 's', 'kt', 'k', 'nt', 'n', 'bt', 'b', 'c', 'a'],
  rot: ['v', 't', 'd', 'i', 's', 'p', 'kt', 'k', 'nt', 'n', 'bt', 'br', 'ba', 'a'],
  ixn: ['v', 't', 'd', 'i', 's', 'p', 'a'],
  dip: ['v', 't', 'd', 'i', 's', 'kt', 'k', 'nt', 'n', 'bt', 'b', 'c', 'a', 'di'],
  drt: ['v', 't', 'd', 'i', 's', 'p', 'kt', 'k', 'nt', 'n', 'bt', 'br', 'ba', 'a'],
  rct: ['v', 't', 'd', 'i', 's'],
  qry: ['v', 't', 'd', 'dt', 'r', 'rr', 'q'],
  rpy: ['v', 't', 'd', 'dt', 'r', 'a'],
  pro: ['v', 't', 'd', 'dt', 'r', 'rr', 'q'],
  bar: ['v', 't', 'd', 'dt', 'r', 'a'],
  exn: ['v', 't', 'd', 'i', 'rp', 'p', 'dt', 'r', 'q', 'a', 'e'],
  vcp: ['v', 't', 'd', 'i', 'ii', 's', 'c', 'bt', 'b', 'n'],
  vrt: ['v', 't', 'd', 'i', 'p', 's', 'bt', 'br', 'ba'],
  iss: ['v', 't', 'd', 'i', 's', 'ri', 'dt'],
  rev: ['v', 't', 'd', 'i', 's', 'ri', 'p', 'dt'],
  bis: ['v', 't', 'd', 'i', 'ii', 's', 'ra', 'dt'],
  brv: ['v', 't', 'd', 'i', 's', 'p', 'ra', 'dt'],
} as const satisfies Record<string, readonly string[]>;

export type Ilk = keyof typeof FIELDS;

const BLAKE3: MatterCode = 'E';

/** SAID fields per message type with their default digest code; `rct` carries none of its own. */
export const SAID_FIELDS: Record<Ilk, Readonly<Record<string, MatterCode>>> = {
  icp: { d: BLAKE3, i: BLAKE3 },
  dip: { d: BLAKE3, i: BLAKE3 },
  vcp: { d: BLAKE3, i: BLAKE3 },
  rot: { d: BLAKE3 },
  ixn: { d: BLAKE3 },
  drt: { d: BLAKE3 },
  rct: {},
  qry: { d: BLAKE3 },
  rpy: { d: BLAKE3 },
  pro: { d: BLAKE3 },
  bar: { d: BLAKE3 },
  exn: { d: BLAKE3 },
  vrt: { d: BLAKE3 },
  iss: { d: BLAKE3 },
  rev: { d: BLAKE3 },
  bis: { d: BLAKE3 },
  brv: { d: BLAKE3 },
};

export function isIlk(value: unknown): value is Ilk {
  return typeof value === 'string' && Object.hasOwn(FIELDS, value);
}

export function isKeyEventIlk(value: unknown): value is KeyEventIlk {
  return typeof value === 'string' && (KEY_EVENT_ILKS as readonly string[]).includes(value);
}

/** Labels missing, extra or out of order, as keripy checks (`SerderKERI._verify`); undefined when exact. */
export function fieldOrderProblem(ilk: Ilk, labels: readonly string[]): string | undefined {
  const expected = FIELDS[ilk];
  if (labels.length === expected.length && labels.every((label, i) => label === expected[i]))
    return undefined;
  return `Fields of '${ilk}' must be [${expected.join(',')}], got [${labels.join(',')}]`;
}
