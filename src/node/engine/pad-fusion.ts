// Fuses the CNN live probabilities and the physical PAD cues into one 0-100 live score with a logistic regression
// whose coefficients tools/fit-pad.ts fits on ../shared/fixtures and writes to pad-fusion.json.
import { z } from 'zod';
import { CodedError } from '../../shared/errors';
import fusionJson from './pad-fusion.json';

const TRANSFORMS = ['identity', 'logit', 'log10'] as const;
export type FeatureTransform = (typeof TRANSFORMS)[number];

const featureSchema = z.object({
  name: z.string().min(1),
  transform: z.enum(TRANSFORMS),
  mean: z.number(),
  std: z.number().positive(),
  weight: z.number(),
});

const fusionSchema = z.object({
  version: z.literal(1),
  features: z.array(featureSchema).min(1),
  bias: z.number(),
  /** Piecewise-linear map from the regression's log-odds to the 0-100 score: [logOdds, score] knots, both increasing. */
  calibration: z.object({ knots: z.array(z.tuple([z.number(), z.number()])).min(2) }),
});

export type PadFusionModel = z.infer<typeof fusionSchema>;
export type PadFeature = z.infer<typeof featureSchema>;

/** Validate a fusion file's content; refuses one with missing or malformed features or calibration. */
export function parsePadFusion(json: unknown): PadFusionModel {
  const parsed = fusionSchema.safeParse(json);
  if (!parsed.success) {
    throw new CodedError(
      'INVALID_PAYLOAD',
      `The PAD fusion coefficients are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const model = parsed.data;
  const names = new Set<string>();
  for (const f of model.features) {
    if (names.has(f.name)) throw new CodedError('INVALID_PAYLOAD', `The PAD fusion coefficients name feature "${f.name}" twice.`);
    names.add(f.name);
  }
  const knots = model.calibration.knots;
  for (let i = 1; i < knots.length; i++) {
    if (!(knots[i][0] > knots[i - 1][0]) || knots[i][1] < knots[i - 1][1]) {
      throw new CodedError('INVALID_PAYLOAD', 'The PAD fusion calibration knots must increase in log-odds and never decrease in score.');
    }
  }
  return model;
}

const EPS = 1e-4;

export function transformFeature(value: number, transform: FeatureTransform): number {
  switch (transform) {
    case 'identity':
      return value;
    case 'logit': {
      const p = Math.min(1 - EPS, Math.max(EPS, value));
      return Math.log(p / (1 - p));
    }
    case 'log10':
      return Math.log10(Math.max(EPS, value));
  }
}

/** The regression's log-odds of "live" for these components; throws when a feature the model needs is absent. */
export function padLogOdds(model: PadFusionModel, components: Record<string, number>): number {
  let z = model.bias;
  for (const f of model.features) {
    const v = components[f.name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new CodedError('ENGINE_FAILURE', `PAD fusion needs the component "${f.name}", which is missing or not a finite number.`);
    }
    z += (f.weight * (transformFeature(v, f.transform) - f.mean)) / f.std;
  }
  return z;
}

/** Log-odds -> 0-100 through the calibration knots (linear between knots, clamped outside). */
export function calibrate(model: PadFusionModel, logOdds: number): number {
  const k = model.calibration.knots;
  if (logOdds <= k[0][0]) return clampScore(k[0][1]);
  for (let i = 1; i < k.length; i++) {
    if (logOdds <= k[i][0]) {
      const t = (logOdds - k[i - 1][0]) / (k[i][0] - k[i - 1][0]);
      return clampScore(k[i - 1][1] + t * (k[i][1] - k[i - 1][1]));
    }
  }
  return clampScore(k[k.length - 1][1]);
}

const clampScore = (s: number) => Math.min(100, Math.max(0, s));

export function fusePadWith(model: PadFusionModel, components: Record<string, number>): number {
  return calibrate(model, padLogOdds(model, components));
}

let defaultModel: PadFusionModel | undefined;

/** The committed coefficients (src/node/engine/pad-fusion.json), validated once. */
export function defaultPadFusion(): PadFusionModel {
  defaultModel ??= parsePadFusion(fusionJson);
  return defaultModel;
}

/** Fused PAD score 0-100 (high = live) from CNN outputs (`cnn_antispoof`, `cnn_liveness`) and physical cues. */
export function fusePad(components: Record<string, number>): number {
  return fusePadWith(defaultPadFusion(), components);
}

/** Names of the components the committed fusion reads. */
export function padFusionFeatureNames(): string[] {
  return defaultPadFusion().features.map((f) => f.name);
}
