// e2e global setup: build the renderer once (vite) so `liveness kiosk` serves the current sources.
import { buildRenderer } from '../../src/node/host/renderer-build';

export default async function setup(): Promise<void> {
  await buildRenderer();
}
