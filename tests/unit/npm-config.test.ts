// Issue 14: `npm install` warned "9 packages have install scripts not yet covered by allowScripts". Every installed
// package with an install-time script is now approved or denied by name in package.json, and no entry is stale; the
// supported Node the README states is the one `engines` states, the lock's root entry states the same (else
// `npm install` rewrites package-lock.json), and the Node running the tests is inside it (else npm warns EBADENGINE).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  allowScripts: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } }>;
};
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/** Every installed package (nested copies too) that runs a script at install time: name -> versions. */
function packagesWithInstallScripts(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const visit = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((name) => join(modules, entry, name))
        : [join(modules, entry)];
      for (const dir of dirs) {
        const manifest = join(dir, 'package.json');
        if (!existsSync(manifest)) continue;
        const {
          name,
          version,
          scripts = {},
        } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string; scripts?: Record<string, string> };
        if (INSTALL_SCRIPTS.some((script) => scripts[script])) found.set(name, (found.get(name) ?? new Set()).add(version));
        visit(join(dir, 'node_modules'));
      }
    }
  };
  visit(join(ROOT, 'node_modules'));
  return found;
}

const nameOf = (entry: string) => entry.replace(/(?<=.)@[^@]*$/, '');

type Version = [number, number, number];
const parseVersion = (text: string): Version => {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`not a full version: ${text}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** npm's range test for the two forms `engines` uses here: `^x.y.z` (same major, at least x.y.z) and `>=x.y.z`, joined by `||`. */
function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((part) => {
    const [, operator, bound] = /^\s*(\^|>=)\s*(\S+)\s*$/.exec(part) ?? [];
    if (!operator) throw new Error(`engines range form not handled here: ${part}`);
    const floor = parseVersion(bound);
    return compare(v, floor) >= 0 && (operator === '>=' || v[0] === floor[0]);
  });
}

describe('npm config', () => {
  it('allowScripts approves or denies every installed package with an install script, and names no other', () => {
    const installed = packagesWithInstallScripts();
    expect(installed.size).toBeGreaterThan(0);
    const covered = new Set(Object.keys(pkg.allowScripts).map(nameOf));
    expect([...installed.keys()].filter((name) => !covered.has(name))).toEqual([]);
    expect([...covered].filter((name) => !installed.has(name))).toEqual([]);
    // The two the product needs (native SQLite; an executable ffmpeg), and the CUDA download stays off.
    expect(pkg.allowScripts).toMatchObject({ 'better-sqlite3': true, '@ffmpeg-installer/linux-x64': true, 'onnxruntime-node': false });
  });

  it('engines is the tested range, the lock root states the same, and the README states it', () => {
    // Tested on 20.20.2 (CI, these machines) and 22.23.5 (scripts/test-node22.sh). The floors are where Node can
    // require() an ES module without a flag: fastify's light-my-request (inject) require()s cookie@2, which is ESM only.
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    expect(lock.packages[''].engines?.node).toBe(pkg.engines.node);
    for (const accepted of ['20.19.0', '20.20.2', '22.12.0', '22.23.5', '24.0.0'])
      expect(satisfies(accepted, pkg.engines.node), accepted).toBe(true);
    for (const refused of ['18.20.8', '20.18.3', '21.7.3', '22.11.0']) expect(satisfies(refused, pkg.engines.node), refused).toBe(false);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('**Supported Node: 20.19 or later in the 20 line, or 22.12 or later**');
    expect(readFileSync(join(ROOT, 'docs/deploy/README.md'), 'utf8')).toContain('**Node.js 20.19+ (20 line) or 22.12+**');
  });

  it('the Node running the tests is one engines accepts, so npm install prints no EBADENGINE for the project', () => {
    expect(satisfies(process.versions.node, pkg.engines.node)).toBe(true);
  });
});
