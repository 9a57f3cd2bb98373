// Restores the lock-file entries of Biome's binaries for other platforms. The registry this
// project is built against does not serve them, so `npm install` leaves them out of
// package-lock.json, and then `npm ci` refuses the lock file as out of sync (npm/cli#9846).
// An entry with its os/cpu/libc lets `npm ci` accept the lock and skip the package as not for
// this platform. Run after any `npm install`: `node scripts/lock-platforms.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORMS = {
  'android-arm64': [['android'], ['arm64']],
  'android-x64': [['android'], ['x64']],
  'darwin-arm64': [['darwin'], ['arm64']],
  'darwin-x64': [['darwin'], ['x64']],
  'linux-arm64': [['linux'], ['arm64'], ['glibc']],
  'linux-x64': [['linux'], ['x64'], ['glibc']],
  'linux-arm64-musl': [['linux'], ['arm64'], ['musl']],
  'linux-x64-musl': [['linux'], ['x64'], ['musl']],
  'win32-arm64': [['win32'], ['arm64']],
  'win32-x64': [['win32'], ['x64']],
};

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const version = packages['node_modules/@biomejs/biome']?.version;
let added = 0;
if (version !== undefined) {
  for (const [name, [os, cpu, libc]] of Object.entries(PLATFORMS)) {
    const key = `node_modules/@biomejs/cli-${name}`;
    if (packages[key] !== undefined) continue;
    packages[key] = { version, dev: true, optional: true, os, cpu, ...(libc ? { libc } : {}) };
    added++;
  }
}
if (added > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
  );
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(`lock-platforms: ${added} entr${added === 1 ? 'y' : 'ies'} added`);
