import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/node/logging';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'test', destination }) };
}

describe('structured logs', () => {
  it('write one JSON object per line with the component name, level and ISO time', () => {
    const { lines, logger } = capture();
    logger.info({ session_id: 's-1' }, 'decision recorded');
    expect(lines[0]).toMatchObject({ name: 'test', level: 30, msg: 'decision recorded', session_id: 's-1' });
    expect(String(lines[0].time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('never carry a face image, an embedding, a PIN or a key: known fields are redacted at any depth', () => {
    const { lines, logger } = capture();
    logger.info({ user_image: 'BASE64FACE', embedding: [0.73519, 0.2], nested: { pin: '482913', api_key: 'k-123' } }, 'request');
    const text = JSON.stringify(lines[0]);
    // Values no timestamp can contain (a '0.1' matched a log time of 02:32:00.158).
    for (const secret of ['BASE64FACE', '0.73519', '482913', 'k-123']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      user_image: '[redacted]',
      embedding: '[redacted]',
      nested: { pin: '[redacted]', api_key: '[redacted]' },
    });
  });

  it('log the size of binary values (an image buffer under any name), never their bytes', () => {
    const { lines, logger } = capture();
    logger.info({ upload: Buffer.from([0xff, 0xd8, 0xff, 0xe0]), vector: new Float32Array(512) }, 'received');
    expect(lines[0]).toMatchObject({ upload: '[4 bytes]', vector: '[2048 bytes]' });
  });

  it('redact the secret headers of a logged request', () => {
    const { lines, logger } = capture();
    logger.info({ req: { headers: { 'x-api-key': 'secret-key', cookie: 'sid=abc', 'user-agent': 'kiosk' } } }, 'incoming');
    expect(lines[0]).toMatchObject({ req: { headers: { 'x-api-key': '[redacted]', cookie: '[redacted]', 'user-agent': 'kiosk' } } });
  });
});

describe('process logger (kiosk service, sync, host, Electron main)', () => {
  it('tags each line with its component and redacts faces, images, embeddings, PINs, tokens and keys', async () => {
    const { configureProcessLogger, logger } = await import('../../src/node/logging');
    const lines: Record<string, unknown>[] = [];
    configureProcessLogger({
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
          done();
        },
      }),
    });
    try {
      logger('kiosk').error(
        {
          faces: [{ bbox: [10, 20, 30, 40], embedding: [0.987654] }],
          referenceJpeg: 'FFD8FFE0-REFERENCE',
          descriptor: [0.24681],
          staffToken: 'STAFF-TOKEN-1',
          launchSecret: 'LAUNCH-SECRET-1',
          request: { newPin: '73920184', enrolToken: 'ENROL-TOKEN-1', privateKey: 'ED25519-PRIVATE', imageKey: 'AES-KEY' },
          req: { headers: { 'sec-websocket-protocol': 'kiosk-launch.abcdef', authorization: 'Bearer X' } },
        },
        'a channel failed',
      );
    } finally {
      configureProcessLogger();
    }
    expect(lines[0]).toMatchObject({ component: 'kiosk', msg: 'a channel failed', faces: '[redacted]', request: { newPin: '[redacted]' } });
    const text = JSON.stringify(lines);
    for (const secret of [
      'bbox',
      '0.987654',
      'FFD8FFE0',
      '0.24681',
      'STAFF-TOKEN-1',
      'LAUNCH-SECRET-1',
      '73920184',
      'ENROL-TOKEN-1',
      'ED25519-PRIVATE',
      'AES-KEY',
      'kiosk-launch.abcdef',
      'Bearer X',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('no console in the kiosk, the server or Electron main', () => {
  it('logs through pino everywhere but the CLI (whose stdout is its answer)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join, resolve } = await import('node:path');
    const root = resolve(import.meta.dirname, '..', '..', 'src');
    const offenders: string[] = [];
    for (const area of ['node', 'main', 'preload', 'server']) {
      for (const entry of readdirSync(join(root, area), { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
        const file = join(entry.parentPath, entry.name);
        if (/\bconsole\.(log|error|warn|info|debug)\(/.test(readFileSync(file, 'utf8'))) offenders.push(file.slice(root.length + 1));
      }
    }
    expect(offenders).toEqual([]);
  });
});
