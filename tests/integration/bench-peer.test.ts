// The bench's peer: @vladmandic/human on tfjs-wasm runs its own face pipeline on a real fixture face, offline.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeStillFile } from '../../src/node/engine/decode';
import { HumanPeer } from '../../src/build/human-peer';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');

describe('Human as the bench peer', () => {
  it('loads from the installed model package on the wasm backend and finds the one face in a photo', async () => {
    const peer = await HumanPeer.load('still');
    expect(peer.description).toMatch(/@vladmandic\/human 3\.\d+\.\d+ on tfjs 4\.\d+\.\d+ wasm/);
    expect(peer.loadMs).toBeGreaterThan(0);
    const frame = await decodeStillFile(path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg'));
    expect(await peer.detect(frame)).toBe(1);
    // No face in a blank frame: the peer really runs its detector, it does not echo a cached answer.
    expect(await peer.detect({ data: new Uint8Array(frame.width * frame.height * 3), width: frame.width, height: frame.height })).toBe(0);
  }, 120_000);
});
