// Issue 10 item 3: a workflow set centrally reaches the kiosk signed, at its next sync; the kiosk verifies it against
// the key pinned at provisioning and keeps it offline; one signed by any other key is refused and changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { hashPin } from '../../src/node/kiosk/pin';
import { createServer, type LivenessServer } from '../../src/server/app';
import { makeWorkflowSigner } from '../../src/testkit/kiosk-provisioning';

const KEY = 'workflow-sync-key';
const context = { clientId: 'workflow-sync-test' };

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 200): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return read();
}

describe('signed workflows reach a kiosk at sync', () => {
  let dir: string;
  let server: LivenessServer;
  let base: string;
  let kiosk: ComposedKiosk;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-workflow-sync-'));
    server = await createServer({ db: join(dir, 'server.sqlite'), apiKey: KEY, enrolTokens: ['t1'] });
    base = await server.listen({ port: 0 });
    const key = await server.storage.db.get<{ public_key_pem: string }>('SELECT public_key_pem FROM server_keys');
    kiosk = await composeKiosk(
      { dbPath: join(dir, 'kiosk.sqlite') },
      { sync: { serverUrl: base, enrolToken: 't1', idleMs: 100, workflowRefreshMs: 200 } },
    );
    kiosk.provision({ staff_pin_hash: await hashPin('73915024'), pin_must_change: false, workflow_public_key: key!.public_key_pem });
  });

  afterAll(async () => {
    await kiosk?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-api-key': KEY, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });

  it('applies the workflow the service assigns (flash, threshold 88) and keeps it as the last good one', async () => {
    const created = await api('/v3/workflows/', {
      method: 'POST',
      body: {
        features: [{ feature: 'LIVENESS', config: { face_liveness_method: 'FLASHING', face_liveness_score_decline_threshold: 88 } }],
      },
    });
    expect(created.status).toBeLessThan(300);
    const workflow = (await created.json()) as { uuid: string };
    // The kiosk enrols at its first sync; then the workflow is assigned to it by its device id.
    const devices = await waitFor(
      () => server.storage.db.all<{ id: string }>('SELECT id FROM devices'),
      (rows) => rows.length === 1,
    );
    expect(devices).toHaveLength(1);
    expect((await api(`/v1/devices/${devices[0].id}/workflow`, { method: 'PUT', body: { workflow_id: workflow.uuid } })).status).toBe(200);

    const config = await waitFor(
      async () =>
        (await kiosk.service.handle('config.get', {}, context)) as {
          ok: true;
          value: { liveness: { liveness_mode: string; liveness_threshold: number } };
        },
      (answer) => answer.value.liveness.liveness_mode === 'flash',
      300,
    );
    expect(config.value.liveness).toMatchObject({ liveness_mode: 'flash', liveness_threshold: 88 });
  });

  it('refuses a workflow signed by another key (even one lowering the threshold to 0): the settings in force stay', async () => {
    const before = await kiosk.service.handle('config.get', {}, context);
    const forged = makeWorkflowSigner().sign({
      workflow_id: 'forged',
      version: 99,
      settings: { liveness_mode: 'passive', liveness_threshold: 0 },
      issued_at: new Date().toISOString(),
    });
    expect(() => kiosk.applyWorkflow(forged)).toThrowError(expect.objectContaining({ code: expect.any(String) }));
    expect(await kiosk.service.handle('config.get', {}, context)).toEqual(before);
  });
});
