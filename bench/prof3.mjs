import { readFileSync } from 'node:fs';
import { parseStream } from '@kestrel/cesr';
import { readKeyEvent, EventProcessor, MemoryStore, readAttachments, SAID_FIELDS } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
const crypto = await createNodeCrypto();
const data = readFileSync('/tmp/kestrel-prof/kel.cesr');
const N = 30000;
function time(label, f) { const t = performance.now(); const r = f(); const ms = performance.now() - t; console.log(label.padEnd(28), (ms * 1000 / N).toFixed(2), 'µs/event'); return r; }
for (let run = 0; run < 2; run++) {
  const { messages } = time('parse', () => parseStream(data));
  time('readAttachments', () => { for (const m of messages) readAttachments(m.attachments); });
  time('readKeyEvent (SAID etc)', () => { for (const m of messages) readKeyEvent(m.body, crypto.digest); });
  const p = new EventProcessor({ store: new MemoryStore(), crypto });
  time('process (incl verify)', () => { for (const m of messages) p.process(m); });
  const seed = crypto.randomBytes(32), msg = crypto.randomBytes(300), sig = crypto.sign('A', seed, msg), key = crypto.publicKey('A', seed);
  time('verify only', () => { for (let i = 0; i < N; i++) crypto.verify('D', key, sig, msg); });
  await time('flush', () => p.flush());
}
