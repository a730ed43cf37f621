// Issue 14: `npm install` warned "9 packages have install scripts not yet covered by allowScripts". Every installed
// package with an install-time script is now approved or denied by name in package.json, and no entry is stale; the
// supported Node the README states is the one `engines` states.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  allowScripts: Record<string, boolean>;
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

  it('the README states the supported Node that engines states', () => {
    expect(pkg.engines.node).toBe('>=22.12');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('**Supported Node: 22.12 or later**');
    expect(readFileSync(join(ROOT, 'docs/deploy/README.md'), 'utf8')).toContain('**Node.js 22.12 or later**');
  });
});
