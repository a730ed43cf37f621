// The model manifest's sha256, embedded in the main bundle at build time (electron.vite.config.ts `define`), so the
// manifest is covered by what the code signature covers (the asar and its integrity hash): editing a model and its
// manifest together no longer passes. Checked at start, before the models are checked against the manifest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../shared/errors';

/** The name the bundler replaces with the hash (a string literal in the built main bundle). */
export const MANIFEST_PIN_DEFINE = '__LIVENESS_MODEL_MANIFEST_SHA256__';
declare const __LIVENESS_MODEL_MANIFEST_SHA256__: string | undefined;

/** The pin the build embedded, or null when this code runs unbundled (sources under tsx or vitest). */
export function embeddedManifestSha256(): string | null {
  return typeof __LIVENESS_MODEL_MANIFEST_SHA256__ === 'string' ? __LIVENESS_MODEL_MANIFEST_SHA256__ : null;
}

export function manifestSha256(modelsDir: string): string {
  const file = join(modelsDir, 'manifest.json');
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (err) {
    throw new CodedError('MODEL_MISSING', `Cannot read the model manifest ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** What the bundler's `define` gets: the pin of the manifest being packaged, as a JavaScript string literal. */
export function manifestPinDefine(modelsDir: string): Record<string, string> {
  return { [MANIFEST_PIN_DEFINE]: JSON.stringify(manifestSha256(modelsDir)) };
}

/** Refuses to start unless the manifest on disk is byte for byte the one this build was made with. */
export function verifyPinnedManifest(modelsDir: string, pinned: string | null): void {
  if (!pinned || !/^[0-9a-f]{64}$/.test(pinned)) {
    throw new CodedError(
      'MODEL_INTEGRITY',
      'This build carries no model manifest hash; it was not built with `npm run build` or `npm run dist`, and will not start.',
    );
  }
  const actual = manifestSha256(modelsDir);
  if (actual !== pinned) {
    throw new CodedError(
      'MODEL_INTEGRITY',
      `The model manifest ${join(modelsDir, 'manifest.json')} has sha256 ${actual.slice(0, 12)}…, this build pins ${pinned.slice(0, 12)}…; the models folder was changed after signing, so the kiosk will not start. Reinstall the app.`,
    );
  }
}
