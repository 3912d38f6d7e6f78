/**
 * @module processor/receipt-body
 * Reading the body of a receipt (`rct`) as strictly as keripy's `SerderKERI` reads it: version
 * 1.0, exactly the fields v, t, d, i, s in that order, a valid identifier prefix, the receipted
 * SAID as a string and a sequence number its `Number` primitive can hold (17 bytes). A body that
 * fails is dropped.
 */
import { type Body, PREFIX_CODES, parseKeripyNumber, qb64Code } from '@kestrel/cesr';
import { EventError } from '../errors.js';
import { fieldOrderProblem } from '../event/fields.js';
import { LARGEST_SEQUENCE_NUMBER } from '../validation/key-event.js';

export interface ReceiptBody {
  readonly prefix: string;
  readonly sn: bigint;
  /** The SAID of the receipted event. */
  readonly said: string;
}

/** The receipted event's identity, or the error that drops the receipt. */
export function readReceiptBody(body: Body): ReceiptBody | EventError {
  const { sad, version } = body;
  if (version.major !== 1 || version.minor !== 0)
    return new EventError('bad_field', `Version ${version.major}.${version.minor} is not KERI 1.0`);
  const order = fieldOrderProblem('rct', Object.keys(sad));
  if (order !== undefined) return new EventError('missing_field', order);
  const { i: prefix, d: said, s } = sad;
  if (typeof prefix !== 'string' || !PREFIX_CODES.has(qb64Code(prefix) ?? ''))
    return new EventError(
      'bad_prefix',
      `Receipt with an invalid identifier prefix ${JSON.stringify(prefix)}`,
    );
  if (typeof said !== 'string')
    return new EventError(
      'bad_field',
      `Receipt of a SAID that is not a string: ${JSON.stringify(said)}`,
    );
  let sn: bigint | undefined;
  try {
    if (typeof s === 'string') sn = parseKeripyNumber(s);
  } catch {
    sn = undefined;
  }
  if (sn === undefined || sn > LARGEST_SEQUENCE_NUMBER)
    return new EventError('bad_sequence_number', `Receipt with invalid sn ${JSON.stringify(s)}`);
  return { prefix, sn, said };
}
