// How long personal data is kept, one value for the kiosk and the central service, so the consent screen states it once
// and both purges apply it. PURE.

/** Days a reference picture is kept (on the kiosk and on the central service) before it is erased; decisions stay. */
export const IMAGE_RETENTION_DAYS = 30;

/** How often an always-on kiosk or server runs its retention purge (besides once at start). */
export const RETENTION_SWEEP_MS = 6 * 60 * 60 * 1000;

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** The instant before which a picture is past the retention. */
export function retentionCutoffIso(nowMs: number, retentionDays: number = IMAGE_RETENTION_DAYS): string {
  return new Date(nowMs - retentionDays * MS_PER_DAY).toISOString();
}
