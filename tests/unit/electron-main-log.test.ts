// Electron main's log with `electron` mocked: openMainLog points the process logger (the kiosk service's, the sync
// loop's, main's own) at kiosk.log in the app's log folder, one JSON object per line, with faces, images,
// embeddings, PINs, tokens and keys redacted; a log past the rotation size is kept as one older generation.
// What only a real Electron run proves: where app.getPath('logs') points on each OS after setAppLogsPath()
// (macOS ~/Library/Logs/<app>, Windows and Linux <userData>/logs), which this fake stands in for.
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const logsDir = mkdtempSync(join(tmpdir(), 'liveness-main-log-'));
const calls: string[] = [];
vi.mock('electron', () => ({
  app: {
    setAppLogsPath: () => calls.push('setAppLogsPath'),
    getPath: (name: string) => {
      calls.push(`getPath:${name}`);
      return logsDir;
    },
  },
}));

const { openMainLog, MAIN_LOG_FILE, MAIN_LOG_ROTATE_BYTES } = await import('../../src/main/logs');
const { logger, configureProcessLogger } = await import('../../src/node/logging');

afterAll(() => {
  configureProcessLogger();
  rmSync(logsDir, { recursive: true, force: true });
});

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Electron main log (electron mocked)', () => {
  it('writes every component to kiosk.log in the app log folder, with biometric data and secrets redacted', () => {
    const file = openMainLog();
    expect(file).toBe(join(logsDir, MAIN_LOG_FILE));
    expect(calls).toEqual(['setAppLogsPath', 'getPath:logs']);
    logger('main').info({ launchSecret: 'S3CRET-LAUNCH' }, 'kiosk starting');
    logger('kiosk').error(
      {
        channel: 'session.frame',
        jpeg: 'JPEGBYTES-AS-TEXT',
        face: { bbox: [1, 2, 3, 4] },
        embedding: [0.123456, 0.654321],
        request: { pin: '482913', token: 'staff-token-xyz', imageKey: 'K-IMAGE-KEY', privateKey: 'PRIVATE-PEM' },
        frame: new Uint8Array([0xff, 0xd8, 0xff]),
      },
      'a channel failed',
    );
    const written = lines(file);
    expect(written.map((line) => [line.component, line.msg])).toEqual([
      ['main', 'kiosk starting'],
      ['kiosk', 'a channel failed'],
    ]);
    const text = readFileSync(file, 'utf8');
    for (const secret of ['S3CRET-LAUNCH', 'JPEGBYTES', 'bbox', '0.123456', '482913', 'staff-token-xyz', 'K-IMAGE-KEY', 'PRIVATE-PEM']) {
      expect(text).not.toContain(secret);
    }
    expect(written[1]).toMatchObject({ channel: 'session.frame', jpeg: '[redacted]', request: { pin: '[redacted]', token: '[redacted]' } });
  });

  it('keeps one older generation once the log passes the rotation size', () => {
    const file = join(logsDir, MAIN_LOG_FILE);
    writeFileSync(file, 'x'.repeat(MAIN_LOG_ROTATE_BYTES + 1));
    openMainLog();
    logger('main').info('after rotation');
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(lines(file).map((line) => line.msg)).toEqual(['after rotation']);
  });
});
