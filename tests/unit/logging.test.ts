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
    logger.info({ user_image: 'BASE64FACE', embedding: [0.1, 0.2], nested: { pin: '482913', api_key: 'k-123' } }, 'request');
    const text = JSON.stringify(lines[0]);
    for (const secret of ['BASE64FACE', '0.1', '482913', 'k-123']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ user_image: '[redacted]', embedding: '[redacted]', nested: { pin: '[redacted]', api_key: '[redacted]' } });
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
