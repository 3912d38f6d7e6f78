import { it } from 'vitest';
import { parseStream, counter, textToBytes, concatBytes } from '@kestrel/cesr';
import { corpusStreams } from './support/streams.js';
it('x', () => {
  const a = corpusStreams().text.find((s) => s.name === 'single_sig')!.bytes;
  const first = parseStream(a).messages[0]!;
  const body = first.body.raw;
  for (const depth of [100, 1000, 3000, 10000]) {
    let inner = '-VAA';
    for (let i = 0; i < depth; i++) inner = counter('-V', inner.length / 4).qb64 + inner;
    try {
      const r = parseStream(concatBytes(body, textToBytes(inner), body));
      console.log(depth, r.messages.length, r.errors.map((e) => e.code));
    } catch (e) { console.log(depth, 'THREW', (e as Error).constructor.name, (e as Error).message); }
  }
  // counter-start junk claiming more than remains
  for (const junk of ['-VZZ', '-LZZ', '-0VAAAZZ', '-AAB', '-ZAB7AAB_AAA']) {
    const r = parseStream(concatBytes(first.raw, textToBytes(junk + 'xyz'), first.raw));
    console.log(junk, r.messages.map((m) => m.offset), r.errors.map((e) => `${e.code}@${e.offset}`));
  }
  const big = concatBytes(textToBytes('{"v":"KERI10JSON0fffff_"'), first.raw);
  const r = parseStream(big); console.log('bigbody', r.messages.map((m) => m.offset), r.errors.map((e) => `${e.code}@${e.offset}`));
});
