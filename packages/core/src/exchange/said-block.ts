/**
 * @module exchange/said-block
 * The SAID of a block that has no version string of its own (an exn's `e` block): its JSON with
 * `d` filled with '#' is digested and the digest put in `d` (keripy `Saider.saidify` on a plain
 * dict). Field order is kept; `d` stays where the caller put it.
 */
import {
  DIGEST_CODES,
  type Digester,
  DUMMY,
  digestQb64,
  type MatterCode,
  qb64Code,
  type Sad,
  serialize,
} from '@kestrel/cesr';

const DIGEST_LENGTH = 44;

export function saidifyBlock(block: Sad, digest: Digester, code: MatterCode = 'E'): Sad {
  const dummied = { ...block, d: DUMMY.repeat(DIGEST_LENGTH) };
  return { ...block, d: digestQb64(digest, code, serialize(dummied, 'JSON')) };
}

/** Whether a block's `d` is its SAID. */
export function blockSaidValid(block: Sad, digest: Digester): boolean {
  const said = block.d;
  if (typeof said !== 'string' || said.length !== DIGEST_LENGTH) return false;
  const code = qb64Code(said);
  if (code === undefined || !DIGEST_CODES.has(code)) return false;
  return saidifyBlock(block, digest, code).d === said;
}
