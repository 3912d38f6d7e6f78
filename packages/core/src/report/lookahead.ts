/**
 * @module report/lookahead
 * Parsed items held back a little before they are processed, with the signature verifications
 * they will need announced to the crypto backend (`Crypto.expect`) as they arrive: a backend that
 * verifies on other threads then works ahead of the processor. Order is unchanged.
 */
import type { ParseItem } from '@kestrel/cesr';
import type { SignatureCheck } from '../ports/crypto.js';
import type { ProcessorContext } from '../processor/context.js';
import { SignaturePlanner } from '../processor/signature-plan.js';

/** How many items the processor trails the parser by: enough to keep a verifying thread busy. */
const DEPTH = 64;

export class Lookahead {
  private readonly waiting: ParseItem[] = [];
  private readonly planner: SignaturePlanner;

  constructor(
    context: ProcessorContext,
    private readonly expect: (checks: readonly SignatureCheck[]) => void,
  ) {
    this.planner = new SignaturePlanner(context);
  }

  /** Holds `item` back; returns the item whose turn to be processed has come, if any. */
  admit(item: ParseItem): ParseItem | undefined {
    if (item.type === 'message') {
      const checks = this.planner.plan(item.message);
      if (checks.length > 0) this.expect(checks);
    }
    this.waiting.push(item);
    return this.waiting.length > DEPTH ? this.waiting.shift() : undefined;
  }

  /** Every item still held back, in order. */
  *drain(): Generator<ParseItem> {
    while (this.waiting.length > 0) yield this.waiting.shift()!;
    this.planner.reset(); // everything planned has been processed
  }
}
