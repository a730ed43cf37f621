// Load a synthetic subject from a real fixture photo: decode it, get its landmarks from the engine, build the mesh.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CodedError } from '../../shared/errors';
import type { Engine } from '../../node/engine/api';
import { decodeStill } from '../../node/engine/decode';
import { buildFaceMesh, type MeshOptions } from './face-mesh';
import type { SubjectTexture } from './scene';

/**
 * Genuine whole photos from ../shared/fixtures (labels.csv: real, image) that face the camera with open eyes. Chosen
 * because the synthetic blink and smile rendered from them clear the engine's detectors with a margin (blink below
 * 40% of the open eye, smile rise above 0.3; measured with the engine of this repository on several scene seeds).
 * Photos whose lids or lips the mesh places poorly (heavy eye make-up, a smile already in the photo) do not.
 */
export const SUBJECT_PHOTOS: readonly string[] = [
  'serengil__deepface/tests/unit/dataset/img26.jpg',
  'serengil__deepface/tests/unit/dataset/img29.jpg',
  'serengil__deepface/tests/unit/dataset/img31.jpg',
  'serengil__deepface/tests/unit/dataset/img20.jpg',
  'serengil__deepface/tests/unit/dataset/img21.jpg',
];

/** The fixtures folder: $LIVENESS_FIXTURES, else ../shared/fixtures beside the repository. */
export function fixturesDir(repoRoot: string): string {
  return process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
}

export interface LoadedSubject extends SubjectTexture {
  /** The fixture path it came from (relative to the fixtures folder). */
  source: string;
}

export async function loadSubject(
  engine: Engine,
  fixtures: string,
  relativePath: string,
  options: MeshOptions = {},
): Promise<LoadedSubject> {
  const bytes = await readFile(path.join(fixtures, relativePath));
  const image = await decodeStill(bytes);
  const analysis = await engine.analyzeFrame(image);
  const face = analysis.faces[0];
  if (!face || face.landmarks.length < 468) {
    throw new CodedError('INVALID_ARGUMENT', `No face mesh found in ${relativePath}; a synthetic subject needs a clear frontal face.`);
  }
  return { image, mesh: buildFaceMesh(face.landmarks, image.width, image.height, options), source: relativePath };
}

/** Subjects are expensive to load (a full-size decode and one inference): keep them per engine. */
export class SubjectCache {
  private readonly loaded = new Map<string, Promise<LoadedSubject>>();
  constructor(
    private readonly engine: Engine,
    private readonly fixtures: string,
  ) {}

  get(relativePath: string): Promise<LoadedSubject> {
    let entry = this.loaded.get(relativePath);
    if (!entry) {
      entry = loadSubject(this.engine, this.fixtures, relativePath);
      this.loaded.set(relativePath, entry);
    }
    return entry;
  }

  /** The subject a seed uses (seeds cycle through SUBJECT_PHOTOS). */
  forSeed(seed: number): Promise<LoadedSubject> {
    return this.get(SUBJECT_PHOTOS[((seed % SUBJECT_PHOTOS.length) + SUBJECT_PHOTOS.length) % SUBJECT_PHOTOS.length]);
  }
}
