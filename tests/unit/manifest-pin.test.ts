// Issue 9 reproduction 'the model hashes are checked against a manifest that sits unpacked beside the models, so
// editing both passes the check': the main bundle now pins the manifest's sha256 at build time (inside the signed
// asar), and the kiosk refuses to start when the manifest on disk is not that one, before any model is checked.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { MANIFEST_PIN_DEFINE, embeddedManifestSha256, manifestSha256, verifyPinnedManifest } from '../../src/node/host/manifest-pin';
import { readVerifiedModel } from '../../src/node/engine/model-store';
import { CodedError } from '../../src/shared/errors';

const REPO = resolve(import.meta.dirname, '..', '..');
const MODELS = join(REPO, 'models');
const shipped = createHash('sha256')
  .update(readFileSync(join(MODELS, 'manifest.json')))
  .digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'liveness-manifest-pin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    return err instanceof CodedError ? err.code : 'not coded';
  }
  return undefined;
}

describe('model manifest pinned in the main bundle', () => {
  it('accepts the manifest the build pinned', () => {
    expect(manifestSha256(MODELS)).toBe(shipped);
    expect(codeOf(() => verifyPinnedManifest(MODELS, shipped))).toBeUndefined();
  });

  it("reproduction 'editing a model and its manifest together passes the check': a tampered manifest is refused", async () => {
    // The attacker's copy: blazeface.onnx replaced, and the manifest edited to pin the replacement.
    const tampered = join(dir, 'tampered');
    rmSync(tampered, { recursive: true, force: true });
    mkdirSync(tampered);
    const evil = Buffer.from('not the real detector');
    writeFileSync(join(tampered, 'blazeface.onnx'), evil);
    const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as { models: { name: string; sha256: string }[] };
    manifest.models.find((model) => model.name === 'blazeface')!.sha256 = createHash('sha256').update(evil).digest('hex');
    writeFileSync(join(tampered, 'manifest.json'), JSON.stringify(manifest, null, 2));
    // Without the pin this passed: the model matches the (edited) manifest.
    expect(Buffer.from(await readVerifiedModel('blazeface', { dir: tampered })).toString()).toBe('not the real detector');
    // With it, the kiosk refuses to start.
    expect(codeOf(() => verifyPinnedManifest(tampered, shipped))).toBe('MODEL_INTEGRITY');
  });

  it('refuses a one-byte change, a missing manifest and a build without a pin', () => {
    const oneByte = join(dir, 'one-byte');
    rmSync(oneByte, { recursive: true, force: true });
    mkdirSync(oneByte);
    writeFileSync(join(oneByte, 'manifest.json'), `${readFileSync(join(MODELS, 'manifest.json'), 'utf8')} `);
    expect(codeOf(() => verifyPinnedManifest(oneByte, shipped))).toBe('MODEL_INTEGRITY');
    expect(codeOf(() => verifyPinnedManifest(join(dir, 'nowhere'), shipped))).toBe('MODEL_MISSING');
    expect(codeOf(() => verifyPinnedManifest(MODELS, null))).toBe('MODEL_INTEGRITY');
    expect(codeOf(() => verifyPinnedManifest(MODELS, 'not-a-hash'))).toBe('MODEL_INTEGRITY');
  });

  it('is unset in unbundled sources, and embedded by the main build of electron.vite.config.ts', async () => {
    expect(embeddedManifestSha256()).toBeNull();
    const { default: configure } = (await import('../../electron.vite.config')) as {
      default: () => Promise<{ main: { define: Record<string, string> } }>;
    };
    const config = await configure();
    expect(config.main.define).toEqual({ [MANIFEST_PIN_DEFINE]: JSON.stringify(shipped) });
    // The same define through vite's own build (what electron-vite runs for main): the bundle carries the pin.
    const outDir = join(dir, 'bundle');
    await build({
      configFile: false,
      logLevel: 'silent',
      define: config.main.define,
      build: {
        ssr: resolve(REPO, 'src/node/host/manifest-pin.ts'),
        outDir,
        write: true,
        rollupOptions: { output: { format: 'es', entryFileNames: 'pin.mjs' } },
      },
    });
    expect(readFileSync(join(outDir, 'pin.mjs'), 'utf8')).toContain(shipped);
    const bundled = (await import(pathToFileURL(join(outDir, 'pin.mjs')).href)) as { embeddedManifestSha256(): string | null };
    expect(bundled.embeddedManifestSha256()).toBe(shipped);
  });
});
