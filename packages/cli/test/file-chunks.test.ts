/**
 * Files read in chunks for streaming validation: every byte once and in order, the file closed
 * however the iteration ends, pipes read to their end.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  createWriteStream,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';
import { readFileChunks } from '../src/file-chunks.js';

const dir = mkdtempSync(join(tmpdir(), 'kestrel-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileWith(bytes: Uint8Array): string {
  const path = join(dir, `file-${files++}`);
  writeFileSync(path, bytes);
  return path;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const all: Uint8Array[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

/** Descriptors this process has open (Linux). */
const openDescriptors = () => readdirSync('/proc/self/fd').length;

/** Waits (a few event-loop turns at most) until this process has `count` descriptors open. */
async function descriptorsBackTo(count: number): Promise<number> {
  for (let turn = 0; turn < 100 && openDescriptors() !== count; turn++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  return openDescriptors();
}

describe('readFileChunks', () => {
  it('yields every byte once, in order, in chunks of the size asked for', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 5000 }),
        fc.integer({ min: 1, max: 700 }),
        async (content, chunkSize) => {
          const chunks = await collect(readFileChunks(fileWith(content), chunkSize));
          expect(concat(chunks)).toEqual(content);
          expect(chunks.length).toBe(Math.ceil(content.length / chunkSize));
          for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBe(chunkSize);
        },
      ),
      { numRuns: propertyRuns(60) },
    );
  });

  it('gives each chunk its own memory, which the caller may keep', async () => {
    const content = new Uint8Array(10_000).map((_, index) => index % 251);
    const chunks = await collect(readFileChunks(fileWith(content), 1024));
    // No two chunks share bytes (small ones may share an ArrayBuffer from Node's pool).
    const ranges = chunks.map(
      (chunk) => [chunk.buffer, chunk.byteOffset, chunk.byteOffset + chunk.length] as const,
    );
    for (const [index, [buffer, start, end]] of ranges.entries()) {
      for (const [other, otherStart, otherEnd] of ranges.slice(index + 1)) {
        if (other === buffer) expect(end <= otherStart || otherEnd <= start).toBe(true);
      }
    }
    expect(concat(chunks)).toEqual(content);
  });

  it('yields nothing for an empty file', async () => {
    expect(await collect(readFileChunks(fileWith(new Uint8Array(0))))).toEqual([]);
  });

  it('reads a regular file up to the size it had when opened', async () => {
    const path = fileWith(new Uint8Array(300).fill(1));
    const chunks: Uint8Array[] = [];
    for await (const chunk of readFileChunks(path, 100)) {
      chunks.push(chunk);
      if (chunks.length === 1) appendFileSync(path, new Uint8Array(500).fill(2));
    }
    expect(concat(chunks)).toEqual(new Uint8Array(300).fill(1));
  });

  it('reads a pipe to its end', async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const content = new Uint8Array(200_000).map((_, index) => (index * 7) % 256);
    const writer = createWriteStream(path);
    writer.end(content);
    const chunks = await collect(readFileChunks(path, 64 * 1024));
    expect(concat(chunks)).toEqual(content);
  });

  it('closes the file when the iteration ends, however it ends', async () => {
    const path = fileWith(new Uint8Array(50_000).fill(3));
    const before = openDescriptors();
    await collect(readFileChunks(path, 4096));
    expect(await descriptorsBackTo(before)).toBe(before);
    // Given up after one chunk, with the next read under way.
    for await (const chunk of readFileChunks(path, 4096)) {
      expect(chunk.length).toBe(4096);
      break;
    }
    expect(await descriptorsBackTo(before)).toBe(before);
    // Thrown out of.
    await expect(
      (async () => {
        for await (const _ of readFileChunks(path, 4096)) throw new Error('caller failed');
      })(),
    ).rejects.toThrow('caller failed');
    expect(await descriptorsBackTo(before)).toBe(before);
  });

  it('fails as fs does for a missing file or a directory', async () => {
    await expect(collect(readFileChunks(join(dir, 'missing')))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    const before = openDescriptors();
    await expect(collect(readFileChunks(dir))).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await descriptorsBackTo(before)).toBe(before);
  });

  it('refuses a chunk size that is not a positive integer', async () => {
    for (const chunkSize of [0, -1, 1.5, Number.NaN]) {
      await expect(collect(readFileChunks(fileWith(new Uint8Array(1)), chunkSize))).rejects.toThrow(
        RangeError,
      );
    }
  });
});
