import { readFileSync } from 'node:fs';
import { EventProcessor, StreamValidator, MemoryStore } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
const crypto = await createNodeCrypto();
const data = readFileSync('/tmp/kestrel-prof/kel.cesr');
for (let run = 0; run < 3; run++) {
  const v = new StreamValidator(new EventProcessor({ store: new MemoryStore(), crypto }));
  const t = performance.now();
  for (let i = 0; i < data.length; i += 1 << 20) await v.push(data.subarray(i, i + (1 << 20)));
  const r = await v.end();
  console.log('memory events/s', Math.round(30000 / (performance.now() - t) * 1000), r.verdict);
}
const seed = crypto.randomBytes(32), msg = crypto.randomBytes(300), sig = crypto.sign('A', seed, msg), key = crypto.publicKey('A', seed);
let t = performance.now(); for (let i = 0; i < 30000; i++) crypto.verify('D', key, sig, msg); console.log('verify/s', Math.round(30000/(performance.now()-t)*1000));
