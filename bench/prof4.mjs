import { readFileSync } from 'node:fs';
import { StreamParser } from '@kestrel/cesr';
const data = readFileSync('/tmp/kestrel-prof/kel.cesr');
for (let i = 0; i < 8; i++) { const t = performance.now(); const p = new StreamParser(); let n = 0; for (let o = 0; o < data.length; o += 1<<20) for (const m of p.push(data.subarray(o, o + (1<<20)))) n++; for (const m of p.end()) n++; console.log(((performance.now()-t)*1000/n).toFixed(2), n, (data.length/1048576/((performance.now()-t)/1000)).toFixed(1)+' MiB/s'); }
