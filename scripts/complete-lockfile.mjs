#!/usr/bin/env node
// Adds lockfile entries for platform-specific optional packages that npm left out.
//
// Why: when the registry that npm talks to cannot serve an optional package for another
// platform (some mirrors carry only linux-x64 builds), `npm install` silently omits it from
// package-lock.json, and `npm ci` then refuses the lockfile as out of sync. The missing entries
// are optional packages for other operating systems or CPUs, which `npm ci` never downloads on
// this machine, so an entry naming the version and the platform is all it needs.
//
// Run after `npm install` changes dependencies:  node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM =
  /(android|darwin|linux|win32|freebsd|openbsd|sunos|aix)-(arm64|x64|arm|ia32|ppc64|s390x|riscv64)(?:-(musl|gnu|msvc))?/;

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
const added = [];
for (const entry of Object.values(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key] !== undefined) continue;
    const platform = name.match(PLATFORM);
    if (platform === null) {
      console.error(`complete-lockfile: cannot tell the platform of ${name}; left out`);
      continue;
    }
    const [, os, cpu, libc] = platform;
    const added_entry = { version: range.replace(/^[\^~=]/, ''), cpu: [cpu] };
    if (entry.dev) added_entry.dev = true;
    if (os === 'linux') added_entry.libc = [libc === 'musl' ? 'musl' : 'glibc'];
    added_entry.optional = true;
    added_entry.os = [os];
    packages[key] = added_entry;
    added.push(key);
  }
}
// npm keeps the root ('') first and the rest in code-unit order.
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  ),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  added.length === 0
    ? 'complete-lockfile: nothing missing'
    : `complete-lockfile: added\n  ${added.join('\n  ')}`,
);
