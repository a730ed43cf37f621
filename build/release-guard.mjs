/* global process, console */
// electron-builder `beforePack` hook: a release build (LIVENESS_RELEASE=1, set by `npm run release`) fails unless
// the signing variables of its platform are set; a local `npm run dist` builds unsigned with a loud warning.
// The variables are electron-builder's own (it reads them to sign and notarize); this only refuses to go without.

/** Any one of these groups, fully set, signs a build for the platform (electron-builder's names). */
export const SIGNING_VARIABLES = {
  // Windows Authenticode: a .pfx/.p12 (path, https URL or base64) and its password; WIN_* win over CSC_*.
  win32: {
    sign: [
      ['WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD'],
      ['CSC_LINK', 'CSC_KEY_PASSWORD'],
      // A certificate on a hardware token or in the Windows store, picked by subject (npm run release passes it on).
      ['WIN_CSC_SUBJECT_NAME'],
    ],
  },
  // macOS Developer ID Application certificate, then notarization by Apple.
  darwin: {
    sign: [['CSC_LINK', 'CSC_KEY_PASSWORD'], ['CSC_NAME']],
    notarize: [
      ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
      ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
      ['APPLE_KEYCHAIN', 'APPLE_KEYCHAIN_PROFILE'],
    ],
  },
};

/** True when the build is a release (set by build/release.mjs; never by `npm run dist`). */
export function isReleaseBuild(env = process.env) {
  return env.LIVENESS_RELEASE === '1';
}

const isSet = (env, name) => typeof env[name] === 'string' && env[name].trim() !== '';

/**
 * What a build for `platform` (electron-builder's electronPlatformName) lacks to be signed: one sentence per
 * missing step, empty when signing is fully configured. Linux targets (AppImage, deb) are not code-signed.
 */
export function missingSigning(platform, env = process.env) {
  const required = SIGNING_VARIABLES[platform === 'mas' ? 'darwin' : platform];
  if (!required) return [];
  return Object.entries(required)
    .filter(([, groups]) => !groups.some((group) => group.every((name) => isSet(env, name))))
    .map(
      ([step, groups]) =>
        `${platform} ${step === 'sign' ? 'code signing' : 'notarization'} needs one of: ${groups.map((group) => group.join(' + ')).join(', or ')}`,
    );
}

/** Throws in a release build that would come out unsigned; warns loudly otherwise. Returns what is missing. */
export function checkSigning(platform, env = process.env, warn = console.warn) {
  const missing = missingSigning(platform, env);
  if (missing.length === 0) return missing;
  if (isReleaseBuild(env)) {
    throw new Error(
      `Release build refused: it would not be signed.\n  - ${missing.join('\n  - ')}\nSee README "Security and privacy" (how a release build is signed).`,
    );
  }
  warn(
    `\n${'!'.repeat(78)}\n! UNSIGNED BUILD for ${platform}: for testing only, never for a kiosk that serves people.\n` +
      `! ASAR integrity and the fuses mean nothing on an unsigned build.\n! - ${missing.join('\n! - ')}\n` +
      `! A release (npm run release) refuses to build without these.\n${'!'.repeat(78)}\n`,
  );
  return missing;
}

/** The hook electron-builder calls before packing each platform. */
export async function beforePack(context) {
  checkSigning(context.electronPlatformName);
}

export default beforePack;
