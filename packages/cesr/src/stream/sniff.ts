/**
 * @module stream/sniff
 * What starts here? The top three bits of a byte tell (CESR spec, "Cold start stream parsing"):
 * 0o3 JSON, 0o4/0o6 MGPK, 0o5 CBOR -> a message body; 0o1/0o2 -> text-domain counter or op code;
 * 0o7 -> binary-domain counter or op code; 0o0 -> annotated CESR (not a stream start).
 */

export type ColdStart = 'message' | 'text' | 'binary' | 'annotated';

export function sniff(byte: number): ColdStart {
  const tritet = byte >> 5;
  if (tritet === 3 || tritet === 4 || tritet === 5 || tritet === 6) return 'message';
  if (tritet === 1 || tritet === 2) return 'text';
  if (tritet === 7) return 'binary';
  return 'annotated';
}
