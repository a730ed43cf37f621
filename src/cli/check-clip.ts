// `liveness check <clip> --mode …`: a recorded clip through the engine and the liveness core's offline clip scorer
// (src/liveness/clip.ts). Nobody was prompted while it was recorded, so challenges are found in time order.
import { readFile } from 'node:fs/promises';
import { CHALLENGES, type Challenge, type LivenessMode } from '../shared/catalogue';
import { parseLivenessConfig } from '../shared/config';
import { CodedError, toCodedError } from '../shared/errors';
import { flashSequenceSchema, type FlashSequence, type LivenessResult } from '../shared/result';
import type { FrameAnalysis } from '../shared/analysis';
import type { Engine } from '../node/engine/api';
import { decodeVideoFrames } from '../node/engine/video';
import { analyzeClip } from '../liveness/clip';
import { parseListFlag } from './args';
import type { CheckLine, CheckOptions, ClipCheckOptions } from './check-types';

export type { ClipCheckOptions } from './check-types';

export const CLIP_USAGE = `  Clips (mp4, webm, mov; the container is sniffed, not taken from the name):
  --mode M               passive | active | flash | action_flash
  --challenges a,b       challenges to look for (default all: ${CHALLENGES.join(',')})
  --expect-order a,b     the order the person was asked for; without it the challenges found are reported in
                         time order and scored as performed
  --flash-sequence FILE  flash, action_flash: the JSON sequence that was shown ({seed, steps:[{rgb,durationMs}]})
  --flash-start-ms N     when its first colour was shown, ms from the clip's start (default 0)
  --fps N                frames sampled per second (default 10)`;

/** Options for node:util parseArgs, merged into the check command's own. */
export const CLIP_ARG_OPTIONS = {
  challenges: { type: 'string' },
  'expect-order': { type: 'string' },
  'flash-sequence': { type: 'string' },
  'flash-start-ms': { type: 'string' },
  fps: { type: 'string' },
} as const;

function challengeList(flag: string, text: string | undefined): Challenge[] | undefined {
  return text === undefined
    ? undefined
    : parseListFlag(text, CHALLENGES, `--${flag} takes a comma-separated list of ${CHALLENGES.join(', ')}`);
}

function positiveNumber(flag: string, text: string | undefined, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0))
    throw new CodedError('INVALID_ARGUMENT', `--${flag} must be a ${allowZero ? 'non-negative' : 'positive'} number, not "${text}".`);
  return value;
}

/** Parse the clip flags (values from parseArgs with CLIP_ARG_OPTIONS). Throws CodedError INVALID_ARGUMENT. */
export function parseClipOptions(values: Record<string, unknown>): ClipCheckOptions {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const fps = positiveNumber('fps', str('fps'));
  if (fps !== undefined && fps > 60) throw new CodedError('INVALID_ARGUMENT', '--fps must be at most 60.');
  return {
    challenges: challengeList('challenges', str('challenges')),
    expectOrder: challengeList('expect-order', str('expect-order')),
    flashSequenceFile: str('flash-sequence'),
    flashStartMs: positiveNumber('flash-start-ms', str('flash-start-ms'), true),
    fps,
  };
}

/** Read and validate a flash sequence file. */
export async function readFlashSequence(file: string): Promise<FlashSequence> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CodedError('FILE_NOT_FOUND', `The flash sequence file ${file} does not exist or cannot be read.`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CodedError('INVALID_ARGUMENT', `The flash sequence file ${file} is not JSON.`, { cause: err });
  }
  // Accept the sequence itself or a result object that recorded it.
  const candidate = json && typeof json === 'object' && 'flash_sequence' in json ? json.flash_sequence : json;
  const parsed = flashSequenceSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new CodedError(
      'INVALID_ARGUMENT',
      `The flash sequence file ${file} must hold {"seed": "...", "steps": [{"rgb": [r,g,b], "durationMs": n}, ...]}.`,
    );
  }
  return parsed.data;
}

export interface ClipRun {
  result: LivenessResult;
  /** Frames decoded and analysed. */
  frames: number;
}

/** Decode the clip at `fps` and analyse every sampled frame (in time order). Throws CodedError. */
export async function analyzeClipFrames(
  engine: Engine,
  file: string,
  options: { fps?: number; maxWidth?: number } = {},
): Promise<FrameAnalysis[]> {
  const analyses: FrameAnalysis[] = [];
  for await (const frame of decodeVideoFrames(file, { fps: options.fps ?? 10, maxWidth: options.maxWidth ?? 640 })) {
    analyses.push(await engine.analyzeFrame(frame, { timestampMs: frame.timestampMs }));
  }
  return analyses;
}

/** Score a clip's frame analyses like a session of `mode` (the liveness core's offline clip scorer). */
export function scoreClip(
  analyses: readonly FrameAnalysis[],
  mode: LivenessMode,
  threshold: number,
  clip: ClipCheckOptions = {},
  flashSequence?: FlashSequence,
  modelVersions: Record<string, string> = {},
): LivenessResult {
  if ((mode === 'flash' || mode === 'action_flash') && !flashSequence) {
    throw new CodedError(
      'INVALID_ARGUMENT',
      `--mode ${mode} needs --flash-sequence <seq.json>: the colours that were shown while the clip was recorded.`,
    );
  }
  const config = parseLivenessConfig({
    liveness_mode: mode,
    liveness_threshold: threshold,
    ...(clip.challenges ? { liveness_challenges: [...new Set(clip.challenges)] } : {}),
  });
  return analyzeClip(analyses, config, { expectOrder: clip.expectOrder, flashSequence, flashStartMs: clip.flashStartMs, modelVersions })
    .result;
}

/** Decode the clip, analyse every sampled frame, and score it like a session of `mode`. Throws CodedError. */
export async function analyzeClipFile(
  engine: Engine,
  file: string,
  mode: LivenessMode,
  threshold: number,
  clip: ClipCheckOptions = {},
): Promise<ClipRun> {
  if ((mode === 'flash' || mode === 'action_flash') && !clip.flashSequenceFile) {
    throw new CodedError(
      'INVALID_ARGUMENT',
      `--mode ${mode} needs --flash-sequence <seq.json>: the colours that were shown while the clip was recorded.`,
    );
  }
  // Read the sequence first: a bad file should fail before minutes of decoding.
  const flashSequence = clip.flashSequenceFile ? await readFlashSequence(clip.flashSequenceFile) : undefined;
  const analyses = await analyzeClipFrames(engine, file, clip);
  return { result: scoreClip(analyses, mode, threshold, clip, flashSequence, engine.modelVersions()), frames: analyses.length };
}

/** The check command's clip handler: one line per clip, never throws. */
export async function checkClipFile(engine: Engine, file: string, opts: CheckOptions & { clip?: ClipCheckOptions }): Promise<CheckLine> {
  try {
    const { result } = await analyzeClipFile(engine, file, opts.mode, opts.threshold, opts.clip);
    return { request_id: result.session_id, file, liveness: result };
  } catch (err) {
    return { file, error: err instanceof CodedError ? err.toJSON() : toCodedError(err) };
  }
}
