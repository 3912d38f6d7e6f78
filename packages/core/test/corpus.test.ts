/**
 * The keripy 1.3.6 conformance corpus through the library API: every case gives keripy's
 * verdict, accepted key states and KELs, and the same fate for every event not accepted.
 */

import { EventProcessor, ManualClock, MemoryStore, StreamValidator } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { describe, it } from 'vitest';
import { expectKeripyVerdict } from '../../../test/support/expectations.js';
import { allCases } from '../../../test/support/vectors.js';

const crypto = await createNodeCrypto();

describe('keripy 1.3.6 corpus, whole stream at once', () => {
  for (const loaded of allCases()) {
    it(loaded.name, async () => {
      const processor = new EventProcessor({
        store: new MemoryStore(),
        crypto,
        clock: new ManualClock(),
      });
      const validator = new StreamValidator(processor);
      await validator.push(loaded.stream);
      expectKeripyVerdict(await validator.end(), loaded);
    });
  }
});

describe('keripy 1.3.6 corpus, one byte at a time', () => {
  for (const loaded of allCases().filter((c) => c.stream.length < 20_000)) {
    it(loaded.name, async () => {
      const processor = new EventProcessor({
        store: new MemoryStore(),
        crypto,
        clock: new ManualClock(),
      });
      const validator = new StreamValidator(processor);
      for (let i = 0; i < loaded.stream.length; i++)
        await validator.push(loaded.stream.subarray(i, i + 1));
      expectKeripyVerdict(await validator.end(), loaded);
    });
  }
});
