// The per-frame pipeline: detect every face, mesh (+ irises), pose/eyes/mouth, quality, regions and PAD evidence.
import * as ort from 'onnxruntime-node';
import type { BBox, FaceAnalysis, FrameAnalysis, Point3 } from '../../shared/analysis';
import type { AnalyzeOptions, RgbFrame } from './api';
import {
  DETECTOR_SIZE,
  FRONT_DETECTOR_SIZE,
  decodeDetections,
  generateAnchors,
  letterboxAffine,
  weightedNms,
  type Detection,
  type RawDetectorOutputs,
} from './blazeface';
import {
  faceQuality,
  headPose,
  meshEyes,
  eyeAspectRatio,
  eyeOpenness,
  occlusionEstimate,
  regionColours,
  smileAndMouth,
} from './face-metrics';
import {
  applyAffine,
  cellLuma,
  composeAffine,
  cropLumaStats,
  frameMeanLuma,
  lumaStatsWindow,
  maxCellChange,
  rectAffine,
  resizeTensor,
  sampleAffine,
  squareCropAffine,
  type Affine,
} from './image-ops';
import { computePadCues } from './pad-cues';
import { fusePad, padFusionFeatureNames } from './pad-fusion';

/** The models one frame needs (the manifest may hold more, e.g. emotion). */
export const PIPELINE_MODELS = ['blazeface', 'blazeface_front', 'facemesh', 'iris', 'antispoof', 'liveness'] as const;
export type PipelineModel = (typeof PIPELINE_MODELS)[number];

/** A run begun by ModelSession.start(): its work goes on while the caller does other things until finish(). */
export interface StartedRun {
  finish(): Promise<Record<string, ort.Tensor>>;
}

/** What the pipeline needs of an ONNX session (an ort.InferenceSession satisfies it). */
export interface ModelSession {
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  /** Sessions that can run beside the caller (SplitBatchSession) begin here; the input may be reused at once. */
  start?(feeds: Record<string, ort.Tensor>): StartedRun;
  readonly outputNames: readonly string[];
  /** Sessions with a thread of their own end it here. */
  close?(): Promise<void>;
}
export type PipelineSessions = Record<PipelineModel, ModelSession>;

const MESH_SIZE = 192;
const IRIS_SIZE = 64;
const ANTISPOOF_SIZE = 128;
const LIVENESS_SIZE = 32;
/** The centre of the mesh crop (fractions of its side) the sharpness and brightness of the quality check read. */
const QUALITY_CROP_FROM = 0.3;
const QUALITY_CROP_TO = 0.7;
/**
 * The liveness CNN (leokwu/livenessnet, pyimagesearch's LivenessNet) was trained on OpenCV face-detector boxes a little
 * wider than the landmarks, read with cv2 (BGR), stretched to 32x32, and labels ['fake', 'real']: index 1 is "real".
 */
const LIVENESS_BOX_SCALE = 1.2;
const LIVENESS_REAL_INDEX = 1;
/**
 * PAD fusion candidates at other contexts (tools/fit-pad.ts keeps one only if it lowers the held-out error): the
 * liveness CNN on the bare mesh box and on a wide box with the surroundings, antispoof on the mesh box instead of the
 * 192 mesh crop.
 */
const LIVENESS_TIGHT_SCALE = 1.0;
const LIVENESS_WIDE_SCALE = 1.8;
const ANTISPOOF_BOX_SCALE = 1.0;
/** Every CNN output the PAD stage can report, as probabilities (the physical cues are in pad-cues.ts). */
export const PAD_CNN_COMPONENTS = ['cnn_antispoof', 'cnn_liveness', 'cnn_liveness_tight', 'cnn_liveness_wide', 'cnn_antispoof_box'];

export interface PipelineConfig {
  /** Detector score for a face to count (0-1). */
  minDetectionScore: number;
  /** Mesh face-presence probability below which a detection is dropped as not a face. */
  minFaceFlag: number;
  maxFaces: number;
  nmsIou: number;
  /** Box enlargement for the mesh crop (Human's 1.4). */
  meshCropScale: number;
  /** Box enlargement around the eye corners for the iris crop (Human's 2.3). */
  irisCropScale: number;
  /**
   * Which PAD components to compute: 'fusion' (default) only the CNNs and cues the fused score reads, skipping the
   * rest (a CNN run, FFTs, the ring scan); 'all' every CNN and cue, for fitting the fusion (tools/fit-pad.ts).
   */
  padComponents: 'fusion' | 'all';
  /**
   * Camera frames (with a trackId): when the face has not moved since its mesh was last computed (see
   * STILL_FACE_MAX_CELL_CHANGE), reuse that mesh and those irises instead of running both models again.
   */
  reuseStillFaces: boolean;
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  minDetectionScore: 0.5,
  minFaceFlag: 0.3,
  maxFaces: 10,
  nmsIou: 0.3,
  meshCropScale: 1.4,
  irisCropScale: 2.3,
  padComponents: 'fusion',
  reuseStillFaces: true,
};

/** What describeFace measures of a face besides its landmarks and PAD evidence. */
type FaceMetrics = Pick<FaceAnalysis, 'pose' | 'smile' | 'mouthOpen' | 'quality' | 'regions'> & { eyes: ReturnType<typeof meshEyes> };

/** Which detector keypoint sits at the image-left / image-right eye of an upright, unmirrored face. */
const EYE_IMAGE_LEFT = 0;
const EYE_IMAGE_RIGHT = 1;

const now = (): number => performance.now();
/** Books the time since `since` to a stage of the frame's timings and returns the time now. */
type StageClock = (name: string, since: number) => number;

/** How much of the padded square the frame fills on the second detection pass for tight crops. */
const PADDED_FILL = 0.6;
/** A best detection weaker than this on a still may be an upside-down face read as an upright one. */
const UPSIDE_DOWN_RETRY_BELOW = 0.7;
/** A half-turned retry replaces the upright answer only when its best face scores this much more. */
const TURNED_MARGIN = 0.1;
/** The 128 front model's answer stands when its best face scores at least this; else the 256 model looks too. */
const FRONT_ACCEPT_SCORE = 0.7;

/** Which BlazeFace runs: the 128x128 short-range model first, the 256x256 one as the fallback. */
export type DetectorModel = 'front' | 'back';

/** Where to crop a face for the mesh: box centre, box side (detector scale) and in-plane angle (radians). */
interface FaceSeed {
  cx: number;
  cy: number;
  size: number;
  angle: number;
  /** Detector confidence (carried along while tracking). */
  score: number;
}

interface IrisResult {
  points: Point3[];
  leftEar: number;
  rightEar: number;
}

interface FaceCandidate {
  seed: FaceSeed;
  meshResult: MeshResult;
  box: BBox;
  /** The irises of this mesh, once computed (a still face reuses them with the mesh). */
  iris?: IrisResult;
}

/** The last face whose mesh ran, and its signature then, to tell whether the face has moved since. */
interface StillReference {
  candidate: FaceCandidate;
  signature: Float32Array;
  /** Frames in a row that reused it. */
  reused: number;
}

interface Track {
  seeds: FaceSeed[];
  framesSinceDetection: number;
  lastUsed: number;
  still?: StillReference;
}

/** While tracking, the detector still runs every this many frames (new faces, multiple-face warnings). */
export const REDETECT_EVERY = 10;
const MAX_TRACKS = 16;
/** The mesh's extent is ~6% larger than the detector's box and centred ~4.5% of it lower (measured on fixtures). */
const MESH_TO_DETECTOR_SIZE = 1 / 1.06;
const MESH_CENTRE_TO_DETECTOR = 0.045;
/** The face signature: mean luma of each cell of a STILL_GRID x STILL_GRID grid over the face box. */
const STILL_GRID = 16;
/**
 * A face counts as not moved when no cell of its signature changed by more than this (luma, 0-255) since its mesh
 * last ran. Tuned on the fixture selfie clips at 15 fps (tests/integration/still-face.test.ts): a blink changes the
 * eye cells by 8-30, a head turn most cells by more; webcam noise and JPEG stay under 2.5. Re-tune by printing
 * the per-frame maxCellChange on the clips there.
 */
export const STILL_FACE_MAX_CELL_CHANGE = 4;
/** Even a face that stays still gets a fresh mesh and irises at least every this many frames. */
const STILL_FACE_MAX_REUSE = 4;

function seedFromDetection(det: Detection): FaceSeed {
  const l = det.keypoints[EYE_IMAGE_LEFT];
  const r = det.keypoints[EYE_IMAGE_RIGHT];
  return {
    cx: (det.x0 + det.x1) / 2,
    cy: (det.y0 + det.y1) / 2,
    size: Math.max(det.x1 - det.x0, det.y1 - det.y0),
    angle: Math.atan2(r[1] - l[1], r[0] - l[0]),
    score: det.score,
  };
}

/** The next frame's crop from this frame's mesh (Human's tracking: no detector while the face stays found). */
function seedFromMesh(mesh: Point3[], score: number): FaceSeed {
  const [x0, y0, x1, y1] = meshExtent(mesh);
  const size = Math.max(x1 - x0, y1 - y0) * MESH_TO_DETECTOR_SIZE;
  const angle = Math.atan2(mesh[263][1] - mesh[33][1], mesh[263][0] - mesh[33][0]);
  // The offset runs along the face's own down axis.
  const shift = MESH_CENTRE_TO_DETECTOR * size;
  return { cx: (x0 + x1) / 2 + Math.sin(angle) * shift, cy: (y0 + y1) / 2 - Math.cos(angle) * shift, size, angle, score };
}

interface MeshResult {
  mesh: Point3[];
  faceFlag: number;
  /** Crop (192 output) -> frame affine. */
  crop: Affine;
}

/** Tensors allocated once per pipeline and reused for every frame (the sizes never change). */
class Buffers {
  readonly detector = new Float32Array(DETECTOR_SIZE * DETECTOR_SIZE * 3);
  readonly frontDetector = new Float32Array(FRONT_DETECTOR_SIZE * FRONT_DETECTOR_SIZE * 3);
  readonly mesh = new Float32Array(MESH_SIZE * MESH_SIZE * 3);
  readonly iris = new Float32Array(2 * IRIS_SIZE * IRIS_SIZE * 3);
  readonly antispoof = new Float32Array(ANTISPOOF_SIZE * ANTISPOOF_SIZE * 3);
  readonly liveness = new Float32Array(LIVENESS_SIZE * LIVENESS_SIZE * 3);
  readonly detectorTensor = new ort.Tensor('float32', this.detector, [1, DETECTOR_SIZE, DETECTOR_SIZE, 3]);
  readonly frontDetectorTensor = new ort.Tensor('float32', this.frontDetector, [1, FRONT_DETECTOR_SIZE, FRONT_DETECTOR_SIZE, 3]);
  readonly meshTensor = new ort.Tensor('float32', this.mesh, [1, MESH_SIZE, MESH_SIZE, 3]);
  readonly irisTensor = new ort.Tensor('float32', this.iris, [2, IRIS_SIZE, IRIS_SIZE, 3]);
  readonly antispoofTensor = new ort.Tensor('float32', this.antispoof, [1, ANTISPOOF_SIZE, ANTISPOOF_SIZE, 3]);
  readonly livenessTensor = new ort.Tensor('float32', this.liveness, [1, LIVENESS_SIZE, LIVENESS_SIZE, 3]);
  readonly signature = new Float32Array(STILL_GRID * STILL_GRID);
}

export class FramePipeline {
  private readonly anchors = generateAnchors(DETECTOR_SIZE);
  private readonly frontAnchors = generateAnchors(FRONT_DETECTOR_SIZE);
  private readonly buffers = new Buffers();
  /** Which mesh crop the mesh input buffer holds (the CNNs and the quality stats reuse it). */
  private meshBufferHolds: MeshResult | undefined;
  private readonly tracks = new Map<string, Track>();
  private trackClock = 0;
  readonly config: PipelineConfig;
  /** The PAD components to compute (undefined: all of them). */
  private readonly padWanted: ReadonlySet<string> | undefined;

  constructor(
    private readonly sessions: PipelineSessions,
    config: Partial<PipelineConfig> = {},
  ) {
    this.config = { ...DEFAULT_PIPELINE_CONFIG, ...config };
    this.padWanted = this.config.padComponents === 'all' ? undefined : new Set(padFusionFeatureNames());
  }

  async analyze(frame: RgbFrame, options: AnalyzeOptions = {}, timings: Record<string, number> = {}): Promise<FrameAnalysis> {
    checkFrame(frame);
    const started = now();
    const stage: StageClock = (name, since) => {
      const t = now();
      timings[name] = (timings[name] ?? 0) + (t - since);
      return t;
    };
    const track = options.trackId !== undefined ? this.tracks.get(options.trackId) : undefined;
    let candidates: FaceCandidate[] | undefined;
    let reused = false;
    if (track && track.seeds.length && track.framesSinceDetection < REDETECT_EVERY) {
      const still = this.stillFace(frame, track, options, stage);
      reused = still !== undefined;
      candidates = still ?? (await this.meshSeeds(frame, track.seeds, stage));
      // A face lost while tracking: fall back to the detector on this very frame.
      if (candidates.length < track.seeds.length) candidates = undefined;
      else track.framesSinceDetection++;
    }
    if (!candidates) {
      // A camera (frames with a trackId) is never upside down; stills may be.
      candidates = await this.detectFaces(frame, stage, options.trackId === undefined);
      if (track) track.framesSinceDetection = 0;
    }

    const faces: FaceAnalysis[] = [];
    for (const candidate of candidates) faces.push(await this.describeFace(frame, candidate, options, stage));
    if (options.trackId !== undefined) this.remember(frame, options.trackId, track, candidates, reused);
    faces.sort((p, q) => q.bbox[2] * q.bbox[3] - p.bbox[2] * p.bbox[3]);
    const t = now();
    const frameLuminance = (frameMeanLuma(frame) / 255) * 100;
    stage('metrics', t);
    timings.total = now() - started + (timings.decode ?? 0);
    return {
      width: frame.width,
      height: frame.height,
      timestampMs: options.timestampMs ?? 0,
      frameLuminance,
      faces,
      timings: roundTimings(timings),
    };
  }

  /** Ends the helper threads some sessions run (SplitBatchSession); in-thread ort sessions are left to the GC. */
  async close(): Promise<void> {
    const sessions: ModelSession[] = Object.values(this.sessions);
    await Promise.all(sessions.map((session) => (session.close ? session.close() : Promise.resolve())));
  }

  /** Forget the tracked faces of a capture session (the next frame of that trackId runs the detector). */
  forgetTrack(trackId: string): void {
    this.tracks.delete(trackId);
  }

  /** Frames whose mesh and irises were reused because the face had not moved (since the pipeline started). */
  stillFramesReused = 0;

  /**
   * The tracked face, reused as it is, when it has not moved since its mesh last ran (one face only: several faces
   * are rare at a kiosk and always get fresh meshes). Undefined: run the mesh.
   */
  private stillFace(frame: RgbFrame, track: Track, options: AnalyzeOptions, stage: StageClock): FaceCandidate[] | undefined {
    const still = track.still;
    if (!this.config.reuseStillFaces || !still || track.seeds.length !== 1 || still.reused >= STILL_FACE_MAX_REUSE) return undefined;
    // Irises asked for now but not computed then: run the models.
    if (options.irises !== false && !still.candidate.iris) return undefined;
    const t = now();
    cellLuma(frame, still.candidate.box, STILL_GRID, this.buffers.signature);
    const moved = maxCellChange(this.buffers.signature, still.signature, STILL_GRID * STILL_GRID) > STILL_FACE_MAX_CELL_CHANGE;
    stage('landmarks', t);
    if (moved) return undefined;
    still.reused++;
    this.stillFramesReused++;
    // The mesh-crop buffer holds an older frame: the PAD CNN must crop this one again.
    this.meshBufferHolds = undefined;
    return [still.candidate];
  }

  private remember(frame: RgbFrame, trackId: string, track: Track | undefined, candidates: FaceCandidate[], reused: boolean): void {
    const seeds = candidates.map((c) => seedFromMesh(c.meshResult.mesh, c.seed.score));
    let still = track?.still;
    if (!reused) {
      // A fresh mesh: this frame's face becomes the reference the next frames are compared with.
      still = undefined;
      if (candidates.length === 1) {
        const signature = new Float32Array(STILL_GRID * STILL_GRID);
        cellLuma(frame, candidates[0].box, STILL_GRID, signature);
        still = { candidate: candidates[0], signature, reused: 0 };
      }
    }
    if (track) {
      // A reused face keeps its seeds: they came from the same mesh.
      if (!reused) track.seeds = seeds;
      track.still = still;
      track.lastUsed = ++this.trackClock;
      return;
    }
    if (this.tracks.size >= MAX_TRACKS) {
      const oldest = [...this.tracks.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0][0];
      this.tracks.delete(oldest);
    }
    this.tracks.set(trackId, { seeds, framesSinceDetection: 0, lastUsed: ++this.trackClock, still });
  }

  /** Every face: the fast 128 detector when it is sure, else the 256 detector with its retries. */
  private async detectFaces(frame: RgbFrame, stage: StageClock, upsideDown: boolean): Promise<FaceCandidate[]> {
    let t = now();
    let front = await this.meshSeeds(frame, (await this.detect(frame, 1, false, 'front')).map(seedFromDetection), stage, t);
    // Scores are at most 1: an upright answer within TURNED_MARGIN of 1 cannot be beaten, so the retry is not run.
    if (upsideDown && front[0] && front[0].seed.score + TURNED_MARGIN >= 1) this.retryMeshesSkipped++;
    else if (upsideDown && front[0]) {
      // A still may be upside down, which the front model can read as a fairly sure upright face: compare.
      t = now();
      const turned = await this.meshIfAnyBeats(
        frame,
        await this.detect(frame, 1, true, 'front'),
        front[0].seed.score + TURNED_MARGIN,
        stage,
        t,
      );
      if (turned[0] && turned[0].seed.score > front[0].seed.score + TURNED_MARGIN) front = turned;
    }
    if (front[0] && front[0].seed.score >= FRONT_ACCEPT_SCORE) return front;
    const back = await this.detectFacesBack(frame, stage, upsideDown);
    return front[0] && (!back[0] || front[0].seed.score > back[0].seed.score) ? front : back;
  }

  /** Every face by the 256 detector, with the padded and upside-down retries. */
  private async detectFacesBack(frame: RgbFrame, stage: StageClock, upsideDown: boolean): Promise<FaceCandidate[]> {
    let t = now();
    let candidates = await this.meshSeeds(frame, (await this.detect(frame, 1)).map(seedFromDetection), stage, t);
    // Tight face crops fill the frame and the detector, which wants context, finds only parts of the face there
    // with low confidence: look again with the frame shrunk inside a padded square, keep the more confident answer.
    const largest = candidates[0];
    const fillsFrame = largest && (largest.box[2] > 0.55 * frame.width || largest.box[3] > 0.55 * frame.height);
    if (!largest || (fillsFrame && largest.seed.score < 0.8)) {
      t = now();
      const padded = await this.meshIfAnyBeats(frame, await this.detect(frame, PADDED_FILL), candidates[0]?.seed.score, stage, t);
      if (padded.length && (!candidates[0] || padded[0].seed.score > candidates[0].seed.score)) candidates = padded;
    }
    // The detector reads an upside-down face as a weak upright one: look again on the frame turned half a turn.
    if (upsideDown && (!candidates[0] || candidates[0].seed.score < UPSIDE_DOWN_RETRY_BELOW)) {
      t = now();
      const bar = candidates[0] ? candidates[0].seed.score + TURNED_MARGIN : undefined;
      const turned = await this.meshIfAnyBeats(frame, await this.detect(frame, 1, true), bar, stage, t);
      if (turned.length && (!candidates[0] || turned[0].seed.score > candidates[0].seed.score + TURNED_MARGIN)) candidates = turned;
    }
    return candidates;
  }

  /**
   * A retry's detections meshed only when one of them scores above `bar` (the answer it must beat): the retry wins
   * only with a detector score above the bar, so when none has one its meshes could not change the result.
   */
  private async meshIfAnyBeats(
    frame: RgbFrame,
    detections: Detection[],
    bar: number | undefined,
    stage: StageClock,
    detectStart: number,
  ): Promise<FaceCandidate[]> {
    if (bar !== undefined && !detections.some((d) => d.score > bar)) {
      stage('detect', detectStart);
      this.retryMeshesSkipped++;
      return [];
    }
    return this.meshSeeds(frame, detections.map(seedFromDetection), stage, detectStart);
  }

  /** Retries not meshed (or not even detected) because none could beat the first answer (since the pipeline started). */
  retryMeshesSkipped = 0;

  /** Mesh each seed, drop non-faces and duplicates; largest face first. `detectStart` books the time so far as detection. */
  private async meshSeeds(frame: RgbFrame, seeds: FaceSeed[], stage: StageClock, detectStart?: number): Promise<FaceCandidate[]> {
    const t = detectStart !== undefined ? stage('detect', detectStart) : now();
    const found: FaceCandidate[] = [];
    for (const seed of seeds) {
      const mesh = await this.runMesh(frame, seed);
      if (mesh.faceFlag < this.config.minFaceFlag) continue;
      const box = meshBox(mesh.mesh, frame);
      // Two detections of one face (e.g. a part and the whole) mesh onto the same place: keep the first (best).
      if (found.some((other) => overlapOfSmaller(other.box, box) > 0.5)) continue;
      found.push({ seed, meshResult: mesh, box });
    }
    stage('landmarks', t);
    return found.sort((p, q) => q.box[2] * q.box[3] - p.box[2] * p.box[3]);
  }

  /**
   * Run the detector on the letterboxed frame; `fill` < 1 shrinks the frame inside the square (more margin),
   * `upsideDown` turns it half a turn (boxes and keypoints come back in frame coordinates either way).
   */
  async detect(frame: RgbFrame, fill: number, upsideDown = false, model: DetectorModel = 'back'): Promise<Detection[]> {
    const front = model === 'front';
    const size = front ? FRONT_DETECTOR_SIZE : DETECTOR_SIZE;
    const toFrame = letterboxAffine(frame.width, frame.height, size, fill, upsideDown);
    const b = this.buffers;
    sampleAffine(frame, toFrame, size, size, front ? b.frontDetector : b.detector, 0, 1 / 127.5, -1);
    const out = front
      ? await this.sessions.blazeface_front.run({ input: b.frontDetectorTensor })
      : await this.sessions.blazeface.run({ input: b.detectorTensor });
    const raw = splitDetectorOutputs(out);
    const candidates = decodeDetections(raw, front ? this.frontAnchors : this.anchors, toFrame, this.config.minDetectionScore);
    return weightedNms(candidates, this.config.nmsIou, this.config.maxFaces);
  }

  private async runMesh(frame: RgbFrame, seed: FaceSeed): Promise<MeshResult> {
    const side = seed.size * this.config.meshCropScale;
    // Rotated so that the eye line is horizontal: the mesh model was trained on upright faces.
    const crop = squareCropAffine(seed.cx, seed.cy, side, seed.angle, MESH_SIZE);
    const b = this.buffers;
    sampleAffine(frame, crop, MESH_SIZE, MESH_SIZE, b.mesh, 0, 1 / 255, 0);
    const out = await this.sessions.facemesh.run({ input: b.meshTensor });
    const raw = out.output_mesh.data as Float32Array;
    const faceFlag = (out.output_faceflag.data as Float32Array)[0];
    const result: MeshResult = { mesh: [], faceFlag, crop };
    this.meshBufferHolds = result;
    const zScale = side / MESH_SIZE;
    for (let i = 0; i < 468; i++) {
      const [x, y] = applyAffine(crop, raw[3 * i], raw[3 * i + 1]);
      result.mesh.push([x, y, raw[3 * i + 2] * zScale]);
    }
    return result;
  }

  private async describeFace(frame: RgbFrame, candidate: FaceCandidate, options: AnalyzeOptions, stage: StageClock): Promise<FaceAnalysis> {
    const { seed, meshResult, box: bbox } = candidate;
    const { mesh, faceFlag, crop } = meshResult;
    let t = now();
    const wants = (name: string): boolean => !this.padWanted || this.padWanted.has(name);
    if (this.meshBufferHolds !== meshResult) {
      if (wants('cnn_antispoof')) {
        sampleAffine(frame, crop, MESH_SIZE, MESH_SIZE, this.buffers.mesh, 0, 1 / 255, 0);
        this.meshBufferHolds = meshResult;
      } else {
        // Only the quality statistics read this crop (a reused still face): sample just the centre they read.
        const window = lumaStatsWindow(MESH_SIZE, QUALITY_CROP_FROM, QUALITY_CROP_TO);
        sampleAffine(frame, crop, MESH_SIZE, MESH_SIZE, this.buffers.mesh, 0, 1 / 255, 0, false, false, window);
        this.meshBufferHolds = undefined;
      }
    }
    t = stage('metrics', t);
    // The iris model starts first; on a SplitBatchSession its helper thread runs it while this face's quality
    // metrics and PAD work go on here.
    const irisRun = options.irises !== false && !candidate.iris ? this.startIris(frame, mesh, crop) : undefined;
    if (irisRun) t = stage('iris', t);

    let metrics: FaceMetrics;
    let pad: { score: number; components: Record<string, number> };
    try {
      metrics = this.faceMetrics(frame, bbox, mesh, faceFlag);
      t = stage('metrics', t);
      pad = await this.padEvidence(frame, bbox, mesh, stage);
    } catch (err) {
      // The iris run must end before the next frame starts one (its session holds one batch at a time).
      await irisRun?.().catch(() => undefined);
      throw err;
    }
    t = stage('pad', t);

    let eyes = metrics.eyes;
    let landmarks: Point3[] = mesh;
    if (options.irises !== false) {
      const iris = candidate.iris ?? (await irisRun!());
      candidate.iris = iris;
      landmarks = [...mesh, ...iris.points];
      // The iris model's eyelid contour is finer than the mesh's: prefer it for openness.
      eyes = { ...eyes, left: eyeOpenness(iris.leftEar, 'iris'), right: eyeOpenness(iris.rightEar, 'iris') };
      // What the face still waited for the irises after its PAD work (all of the model's time when inline).
      if (irisRun) stage('iris', t);
    }

    const { pose, smile, mouthOpen, quality, regions } = metrics;
    // The same key order as ever: JSON printed from an analysis stays byte for byte comparable.
    return {
      bbox,
      confidence: seed.score,
      landmarks,
      pose,
      eyes: { left: eyes.left, right: eyes.right },
      smile,
      mouthOpen,
      quality,
      pad,
      regions,
    };
  }

  /** Pose, expression, region colours and quality of one face (the quality statistics read the mesh crop buffer). */
  private faceMetrics(frame: RgbFrame, bbox: BBox, mesh: Point3[], faceFlag: number): FaceMetrics {
    const { smile, mouthOpen } = smileAndMouth(mesh);
    const regions = regionColours(frame, mesh, bbox);
    const stats = cropLumaStats(this.buffers.mesh, 0, MESH_SIZE, QUALITY_CROP_FROM, QUALITY_CROP_TO);
    const quality = faceQuality({
      meanLuma: stats.meanLuma,
      laplacianVariance: stats.laplacianVariance,
      bbox,
      frameWidth: frame.width,
      frameHeight: frame.height,
      occlusion: occlusionEstimate(regions, faceFlag),
    });
    return { pose: headPose(mesh), eyes: meshEyes(mesh), smile, mouthOpen, quality, regions };
  }

  /** The PAD evidence of one face: the CNNs and physical cues the fusion reads, and the fused score. */
  private async padEvidence(
    frame: RgbFrame,
    bbox: BBox,
    mesh: Point3[],
    stage: StageClock,
  ): Promise<{ score: number; components: Record<string, number> }> {
    const wants = (name: string): boolean => !this.padWanted || this.padWanted.has(name);
    // Antispoof sees the mesh crop (Human's convention); liveness sees what it was trained on (see LIVENESS_*).
    const b = this.buffers;
    const components: Record<string, number> = {};
    if (wants('cnn_antispoof')) {
      resizeTensor(b.mesh, 0, MESH_SIZE, b.antispoof, 0, ANTISPOOF_SIZE);
      const out = await this.sessions.antispoof.run({ input: b.antispoofTensor });
      components.cnn_antispoof = firstOutput(out, this.sessions.antispoof)[0];
    }
    if (wants('cnn_liveness')) {
      sampleAffine(frame, livenessBox(bbox, frame), LIVENESS_SIZE, LIVENESS_SIZE, b.liveness, 0, 1 / 255, 0, false, true);
      const out = await this.sessions.liveness.run({ input: b.livenessTensor });
      components.cnn_liveness = firstOutput(out, this.sessions.liveness)[LIVENESS_REAL_INDEX];
    }
    for (const [name, scale] of [
      ['cnn_liveness_tight', LIVENESS_TIGHT_SCALE],
      ['cnn_liveness_wide', LIVENESS_WIDE_SCALE],
    ] as const) {
      if (!wants(name)) continue;
      sampleAffine(
        frame,
        scaledBox(bbox, frame, scale, LIVENESS_SIZE),
        LIVENESS_SIZE,
        LIVENESS_SIZE,
        b.liveness,
        0,
        1 / 255,
        0,
        false,
        true,
      );
      const out = await this.sessions.liveness.run({ input: b.livenessTensor });
      components[name] = firstOutput(out, this.sessions.liveness)[LIVENESS_REAL_INDEX];
    }
    if (wants('cnn_antispoof_box')) {
      sampleAffine(
        frame,
        scaledBox(bbox, frame, ANTISPOOF_BOX_SCALE, ANTISPOOF_SIZE),
        ANTISPOOF_SIZE,
        ANTISPOOF_SIZE,
        b.antispoof,
        0,
        1 / 255,
        0,
      );
      const out = await this.sessions.antispoof.run({ input: b.antispoofTensor });
      components.cnn_antispoof_box = firstOutput(out, this.sessions.antispoof)[0];
    }
    const cuesStart = now();
    Object.assign(components, computePadCues(frame, bbox, this.padWanted, mesh));
    stage('pad_cues', cuesStart);
    return { score: fusePad(components), components };
  }

  /**
   * Both eyes in one batch of two 64x64 crops; the subject's left eye is mirrored (the model expects a right eye).
   * Samples the crops and starts the model now; the returned function waits for it and maps its points.
   */
  private startIris(frame: RgbFrame, mesh: Point3[], crop: Affine): () => Promise<IrisResult> {
    const toCrop = invertAffine(crop);
    const eyeBox = (outer: number, inner: number): { cx: number; cy: number; side: number } => {
      const [ox, oy] = applyAffine(toCrop, mesh[outer][0], mesh[outer][1]);
      const [ix, iy] = applyAffine(toCrop, mesh[inner][0], mesh[inner][1]);
      const side = Math.max(Math.abs(ox - ix), Math.abs(oy - iy)) * this.config.irisCropScale;
      return { cx: (ox + ix) / 2, cy: (oy + iy) / 2, side };
    };
    // Eye crop affines in 192-crop coordinates, composed with the face crop's affine to sample the frame directly.
    const eyes = [
      { box: eyeBox(263, 362), flip: true }, // subject's left eye
      { box: eyeBox(33, 133), flip: false }, // subject's right eye
    ];
    const b = this.buffers;
    const eyeAffines = eyes.map(({ box, flip }, k) => {
      const inner = squareCropAffine(box.cx, box.cy, box.side, 0, IRIS_SIZE);
      const full = composeAffine(crop, inner);
      sampleAffine(frame, full, IRIS_SIZE, IRIS_SIZE, b.iris, k * IRIS_SIZE * IRIS_SIZE * 3, 1 / 255, 0, flip);
      return full;
    });
    const session = this.sessions.iris;
    const feeds = { input: b.irisTensor };
    // A session that cannot run beside the caller runs now, inline; either way the input buffer is free after this.
    const started = session.start ? session.start(feeds) : undefined;
    const inline = started ? undefined : session.run(feeds);
    inline?.catch(() => undefined); // awaited below; this only keeps a failure meanwhile from going unhandled
    return async () => this.mapIris(firstOutput(await (started ? started.finish() : inline!), session), eyes, eyeAffines, crop);
  }

  private mapIris(raw: Float32Array, eyes: { box: { side: number }; flip: boolean }[], eyeAffines: Affine[], crop: Affine): IrisResult {
    const per = 76 * 3;
    const points: Point3[] = [];
    const ears: number[] = [];
    eyes.forEach(({ box, flip }, k) => {
      const zScale = (box.side / IRIS_SIZE) * Math.hypot(crop.a, crop.d);
      const mapped: Point3[] = [];
      for (let p = 0; p < 76; p++) {
        const x = raw[k * per + p * 3];
        const y = raw[k * per + p * 3 + 1];
        const z = raw[k * per + p * 3 + 2];
        const [fx, fy] = applyAffine(eyeAffines[k], flip ? IRIS_SIZE - x : x, y);
        mapped.push([fx, fy, z * zScale]);
      }
      // Contour points 0..8 are the lower lid (outer to inner corner), 9..15 the upper lid.
      ears.push(eyeAspectRatio(mapped.slice(0, 9), mapped.slice(9, 16)));
      points.push(...mapped.slice(71, 76));
    });
    return { points, leftEar: ears[0], rightEar: ears[1] };
  }
}

function checkFrame(frame: RgbFrame): void {
  if (!(frame.width > 0 && frame.height > 0) || frame.data.length < frame.width * frame.height * 3) {
    throw new Error(`frame buffer of ${frame.data.length} bytes does not hold ${frame.width}x${frame.height} RGB`);
  }
}

function firstOutput(out: Record<string, ort.Tensor>, session: ModelSession): Float32Array {
  return out[session.outputNames[0]].data as Float32Array;
}

/** Map blazeface's four outputs by shape (scores [1,n,1], regressors [1,n,16]; n = 512 at stride 16, 384 at 32). */
function splitDetectorOutputs(out: Record<string, ort.Tensor>): RawDetectorOutputs {
  const parts: Partial<RawDetectorOutputs> = {};
  for (const tensor of Object.values(out)) {
    const [, n, k] = tensor.dims;
    const data = tensor.data as Float32Array;
    if (k === 1) parts[n === 512 ? 'scores16' : 'scores32'] = data;
    else parts[n === 512 ? 'boxes16' : 'boxes32'] = data;
  }
  if (!parts.scores16 || !parts.scores32 || !parts.boxes16 || !parts.boxes32) throw new Error('unexpected blazeface outputs');
  return parts as RawDetectorOutputs;
}

export function invertAffine(t: Affine): Affine {
  const det = t.a * t.e - t.b * t.d;
  const a = t.e / det;
  const b = -t.b / det;
  const d = -t.d / det;
  const e = t.a / det;
  return { a, b, c: -(a * t.c + b * t.f), d, e, f: -(d * t.c + e * t.f) };
}

/** The mesh box enlarged about its centre and clipped to the frame (the liveness CNN's input rectangle). */
function livenessBox(bbox: BBox, frame: RgbFrame): Affine {
  return scaledBox(bbox, frame, LIVENESS_BOX_SCALE, LIVENESS_SIZE);
}

/** The box enlarged `scale` times about its centre, clipped to the frame, mapped to a side x side input. */
function scaledBox([x, y, w, h]: BBox, frame: RgbFrame, scale: number, side: number): Affine {
  const cx = x + w / 2;
  const cy = y + h / 2;
  const hw = (w * scale) / 2;
  const hh = (h * scale) / 2;
  const x0 = Math.max(0, cx - hw);
  const y0 = Math.max(0, cy - hh);
  const x1 = Math.min(frame.width, Math.max(x0 + 1, cx + hw));
  const y1 = Math.min(frame.height, Math.max(y0 + 1, cy + hh));
  return rectAffine(x0, y0, x1, y1, side, side);
}

/** Intersection over the smaller box's area: 1 when one box holds the other. */
function overlapOfSmaller(a: BBox, b: BBox): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const smaller = Math.min(a[2] * a[3], b[2] * b[3]);
  return smaller > 0 ? (ix * iy) / smaller : 0;
}

/** The face box: the mesh's extent (tighter and steadier than the detector's), clipped to the frame. */
function meshBox(mesh: Point3[], frame: RgbFrame): BBox {
  const [mx0, my0, mx1, my1] = meshExtent(mesh);
  const x0 = Math.max(0, mx0);
  const y0 = Math.max(0, my0);
  const x1 = Math.min(frame.width, mx1);
  const y1 = Math.min(frame.height, my1);
  return [x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)];
}

/** The mesh's extent in the frame: [x0, y0, x1, y1]. */
function meshExtent(mesh: Point3[]): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of mesh) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

function roundTimings(timings: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(timings)) out[k] = Math.round(v * 1000) / 1000;
  return out;
}
