// The deployment files a branch IT team copies: npm config that skips the CUDA download without any npm warning,
// Chromium and Edge policies that grant the camera to the kiosk page only, units that run what the README says.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('deployment config', () => {
  it('.npmrc makes onnxruntime-node skip its CUDA download, npm prints no warning, and an explicit choice still wins', () => {
    expect(read('.npmrc')).not.toMatch(/^onnxruntime-node-install/m);
    const env = { ...process.env };
    delete env.ONNXRUNTIME_NODE_INSTALL;
    delete env.NODE_OPTIONS;
    const flag = (extra: Record<string, string> = {}) =>
      spawnSync('npm', ['exec', '--', 'node', '-e', 'process.stdout.write(String(process.env.ONNXRUNTIME_NODE_INSTALL))'], {
        cwd: ROOT,
        env: { ...env, ...extra },
        encoding: 'utf8',
      });
    const skipped = flag();
    expect(skipped.stdout).toBe('skip');
    expect(skipped.stderr).not.toMatch(/npm warn/i);
    expect(flag({ ONNXRUNTIME_NODE_INSTALL: 'cuda12' }).stdout).toBe('cuda12');
  }, 120_000);

  it('the Chromium and Edge policies grant the camera to the kiosk page only and block every other URL', () => {
    const policy = JSON.parse(read('docs/deploy/linux/chromium-policy.json')) as Record<string, unknown>;
    expect(policy.VideoCaptureAllowedUrls).toEqual(['http://127.0.0.1:8080']);
    expect(policy.AudioCaptureAllowed).toBe(false);
    expect(policy.URLBlocklist).toEqual(['*']);
    expect(policy.URLAllowlist).toEqual(['http://127.0.0.1:8080']);
    const edge = read('docs/deploy/windows/edge-policy.reg');
    expect(edge).toMatch(/VideoCaptureAllowedUrls\]\r?\n"1"="http:\/\/127\.0\.0\.1:8080"/);
    expect(edge).toMatch(/URLBlocklist\]\r?\n"1"="\*"/);
  });

  it('the systemd unit runs the kiosk on localhost with its state in a private directory', () => {
    const unit = read('docs/deploy/linux/liveness-kiosk.service');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node bin\/liveness\.mjs kiosk --host 127\.0\.0\.1 --port 8080 /m);
    expect(unit).toMatch(/^StateDirectoryMode=0700$/m);
    expect(unit).toMatch(/^User=liveness$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    // The URL the browser opens is the one the policy grants the camera to.
    expect(read('docs/deploy/linux/start-kiosk-browser.sh')).toContain('http://127.0.0.1:8080/');
  });
});
