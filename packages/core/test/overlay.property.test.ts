/**
 * The write overlay reads as the store will hold its writes: random puts, removals, commits (some
 * still in flight) and scans, against a plain map of every write applied in order. Scans read the
 * pending keys through an order built on a table's first scan and kept up to date after it, so
 * the property interleaves writes after scans, in several layers at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { WriteOverlay } from '../src/store/overlay.js';

const segment = (choices: string[]) => fc.constantFrom(...choices);
const key = fc
  .tuple(segment(['p', 'q']), segment(['0', '1', '2']), segment(['x', 'y', 'z']))
  .map((parts) => parts.join('.'));
const prefix = fc.constantFrom('', 'p', 'p.', 'p.1', 'p.1.', 'q.2.y', 'p.0.x', 'r.');

type Command =
  | { kind: 'put'; key: string; value: number }
  | { kind: 'remove'; key: string }
  | { kind: 'flush'; wait: boolean }
  | { kind: 'scan'; prefix: string }
  | { kind: 'get'; key: string };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('put' as const), key, value: fc.nat(99) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), wait: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('scan' as const), prefix }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
);

describe('WriteOverlay', () => {
  it('scans and gets what a map of every write in order holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 120 }), async (commands) => {
        const overlay = new WriteOverlay(new MemoryStore());
        const model = new Map<string, number>();
        const inFlight: Promise<void>[] = [];
        for (const step of commands) {
          if (step.kind === 'put') {
            overlay.put('anchors', step.key, { value: step.value });
            model.set(step.key, step.value);
          } else if (step.kind === 'remove') {
            overlay.remove('anchors', step.key);
            model.delete(step.key);
          } else if (step.kind === 'flush') {
            const done = overlay.flush();
            if (step.wait) await done;
            else inFlight.push(done);
          } else if (step.kind === 'get') {
            const value = overlay.get<{ value: number }>('anchors', step.key);
            expect(value?.value).toBe(model.get(step.key));
          } else {
            const scanned = [...overlay.scan<{ value: number }>('anchors', step.prefix)].map(
              ([k, v]) => [k, v.value],
            );
            const expected = [...model.entries()]
              .filter(([k]) => k.startsWith(step.prefix))
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
            expect(scanned).toEqual(expected);
          }
        }
        await Promise.all(inFlight);
        await overlay.flush();
        expect([...overlay.scan('anchors', '')].map(([k]) => k)).toEqual([...model.keys()].sort());
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});
