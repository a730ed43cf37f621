// Issue 9 reproductions 'no code signing is configured or enforced (ASAR integrity and fuses only mean something on a
// signed build)' and 'the macOS entitlements grant the camera only, without the JIT entitlement': electron-builder.yml
// parsed and checked (asar and its integrity fuse, the fuses, signing per platform, hardened runtime, notarization,
// the entitlements file's contents, electron-builder's own schema), and the release guard run as a function and as
// `npm run release` without signing variables.
// What only a real signing run proves: that the certificates and Apple's notary service accept the build (no
// certificate exists here, and no Electron binary to package).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';

const REPO = resolve(import.meta.dirname, '..', '..');
const config = parse(readFileSync(resolve(REPO, 'electron-builder.yml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const guard = (await import(resolve(REPO, 'build/release-guard.mjs'))) as {
  missingSigning(platform: string, env: Record<string, string | undefined>): string[];
  checkSigning(platform: string, env: Record<string, string | undefined>, warn?: (text: string) => void): string[];
  beforePack(context: { electronPlatformName: string }): Promise<void>;
};
const require = createRequire(import.meta.url);

/** The <key>s set to <true/> in a plist dict (the entitlements file has nothing else). */
function trueKeys(plist: string): string[] {
  return [...plist.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((match) => match[1]);
}

const WIN_PFX = { WIN_CSC_LINK: 'C:/certs/kiosk.pfx', WIN_CSC_KEY_PASSWORD: 'pfx-password' };
const MAC_CERT = { CSC_LINK: '/certs/developer-id.p12', CSC_KEY_PASSWORD: 'p12-password' };
const MAC_NOTARY = { APPLE_API_KEY: '/keys/AuthKey.p8', APPLE_API_KEY_ID: 'ABC123', APPLE_API_ISSUER: 'issuer-uuid' };

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    await expect(validateConfiguration(config, { isEnabled: false, add: () => undefined })).resolves.toBeUndefined();
  });

  it('packs the app in an asar whose integrity Electron checks, with the fuses that make that check mean something', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // The main bundle (which pins the manifest's hash) is inside the asar; nothing from out/ is unpacked.
    expect(config.files).toContain('out/**');
    expect((config.asarUnpack as string[]).some((glob) => glob.startsWith('out'))).toBe(false);
  });

  it('signs Windows builds with Authenticode (SHA-256, RFC 3161 timestamp)', () => {
    expect(config.win.signtoolOptions).toEqual({
      signingHashAlgorithms: ['sha256'],
      rfc3161TimeStampServer: 'http://timestamp.digicert.com',
    });
    // No certificate path or password in the file: they come from the environment.
    expect(JSON.stringify(config)).not.toMatch(/certificateFile|certificatePassword|cscLink|cscKeyPassword/);
  });

  it('signs macOS builds with the hardened runtime, its entitlements, and notarizes them', () => {
    expect(config.mac).toMatchObject({
      hardenedRuntime: true,
      notarize: true,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.plist',
    });
    expect(config.mac.identity).toBeUndefined();
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
  });

  it("grants exactly what Electron needs under the hardened runtime (electron-builder's template) plus the camera", () => {
    const file = resolve(REPO, config.mac.entitlements as string);
    expect(existsSync(file)).toBe(true);
    expect(trueKeys(readFileSync(file, 'utf8')).sort()).toEqual([
      'com.apple.security.cs.allow-jit',
      'com.apple.security.cs.allow-unsigned-executable-memory',
      'com.apple.security.device.camera',
    ]);
    // The two JIT entitlements are the ones electron-builder's own template grants Electron.
    const template = readFileSync(require.resolve('app-builder-lib/templates/entitlements.mac.plist'), 'utf8');
    expect(trueKeys(template)).toEqual(
      expect.arrayContaining(['com.apple.security.cs.allow-jit', 'com.apple.security.cs.allow-unsigned-executable-memory']),
    );
  });

  it('runs the release guard before packing, and electron-builder resolves it to the guard function', async () => {
    expect(config.beforePack).toBe('./build/release-guard.mjs');
    const { resolveFunction } = require('app-builder-lib/out/util/resolve') as {
      resolveFunction(type: string, executor: string, name: string, root: string): Promise<unknown>;
    };
    const hook = (await resolveFunction('module', config.beforePack as string, 'beforePack', REPO)) as typeof guard.beforePack;
    expect(hook.name).toBe('beforePack');
    // The hook electron-builder would call, in a release build with no signing variables: it fails the build.
    vi.stubEnv('LIVENESS_RELEASE', '1');
    for (const name of ['WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD', 'CSC_LINK', 'CSC_KEY_PASSWORD', 'CSC_NAME', 'WIN_CSC_SUBJECT_NAME'])
      vi.stubEnv(name, '');
    try {
      await expect(hook({ electronPlatformName: 'win32' })).rejects.toThrow(/Release build refused/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('has `npm run release`, which forces signing', () => {
    const pkg = JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.release).toBe('node build/release.mjs');
    expect(readFileSync(resolve(REPO, 'build/release.mjs'), 'utf8')).toContain('-c.forceCodeSigning=true');
  });
});

describe('release guard', () => {
  const RELEASE = { LIVENESS_RELEASE: '1' };

  it('fails a release build without signing variables, naming what is missing', () => {
    expect(() => guard.checkSigning('win32', RELEASE)).toThrow(/Release build refused[\s\S]*WIN_CSC_LINK \+ WIN_CSC_KEY_PASSWORD/);
    expect(() => guard.checkSigning('darwin', RELEASE)).toThrow(/code signing[\s\S]*notarization/);
    expect(() => guard.checkSigning('darwin', { ...RELEASE, ...MAC_CERT })).toThrow(
      /notarization needs one of: APPLE_API_KEY \+ APPLE_API_KEY_ID/,
    );
    expect(() => guard.checkSigning('darwin', { ...RELEASE, ...MAC_NOTARY })).toThrow(/darwin code signing/);
    // A half-set group does not count, nor does an empty value.
    expect(() => guard.checkSigning('win32', { ...RELEASE, WIN_CSC_LINK: 'x.pfx' })).toThrow(/Release build refused/);
    expect(() => guard.checkSigning('win32', { ...RELEASE, WIN_CSC_LINK: ' ', WIN_CSC_KEY_PASSWORD: 'p' })).toThrow(
      /Release build refused/,
    );
  });

  it('lets a release build through once every step of its platform is configured', () => {
    expect(guard.checkSigning('win32', { ...RELEASE, ...WIN_PFX })).toEqual([]);
    expect(guard.checkSigning('win32', { ...RELEASE, CSC_LINK: 'a.pfx', CSC_KEY_PASSWORD: 'p' })).toEqual([]);
    expect(guard.checkSigning('darwin', { ...RELEASE, ...MAC_CERT, ...MAC_NOTARY })).toEqual([]);
    expect(
      guard.checkSigning('darwin', {
        ...RELEASE,
        CSC_NAME: 'Developer ID Application: Bank (TEAMID)',
        APPLE_ID: 'a@b.c',
        APPLE_APP_SPECIFIC_PASSWORD: 'x',
        APPLE_TEAM_ID: 'T',
      }),
    ).toEqual([]);
    // Linux AppImage/deb are not code-signed by electron-builder; nothing to require there.
    expect(guard.checkSigning('linux', RELEASE)).toEqual([]);
  });

  it('lets a local build go unsigned, with a loud warning', () => {
    const warnings: string[] = [];
    expect(guard.checkSigning('win32', {}, (text) => warnings.push(text))).toHaveLength(1);
    expect(warnings.join('')).toMatch(/UNSIGNED BUILD for win32[\s\S]*never for a kiosk that serves people/);
  });

  it('`npm run release` stops before building when the signing variables are missing', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(WIN_)?CSC_|^APPLE_|^LIVENESS_RELEASE$/.test(name)));
    const run = spawnSync(process.execPath, [resolve(REPO, 'build/release.mjs'), '--win', '--mac'], { cwd: REPO, env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Release build refused: it would not be signed/);
    expect(run.stdout).not.toMatch(/electron-vite|building/);
  });
});
