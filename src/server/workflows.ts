// Workflows: Didit's `features` list in, the kiosk's settings (src/shared/workflow.ts) stored and signed out.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CodedError } from '../shared/errors';
import { workflowSettingsSchema, type WorkflowSettings } from '../shared/workflow';
import type { LivenessConfig } from '../shared/config';
import type { SqlDb } from './sql';
import { UuidTable } from './uuid-table';

/** Didit's liveness method names and ours. */
export const METHOD_TO_MODE: Record<string, LivenessConfig['liveness_mode']> = {
  PASSIVE: 'passive',
  ACTIVE_3D: 'active',
  FLASHING: 'flash',
  ACTION_FLASHING: 'action_flash',
};
export const MODE_TO_METHOD = Object.fromEntries(Object.entries(METHOD_TO_MODE).map(([method, mode]) => [mode, method])) as Record<
  LivenessConfig['liveness_mode'],
  string
>;

/** The features this server runs; a workflow asking for another (OCR, NFC, AML…) is refused, not silently skipped. */
const SUPPORTED_FEATURES = ['LIVENESS', 'FACE_MATCH', 'AGE_ESTIMATION', 'FACE_SEARCH'] as const;

const featureSchema = z.object({
  feature: z.string().min(1).max(50),
  config: z.record(z.string(), z.unknown()).optional(),
  label: z.string().max(100).optional(),
});
export type WorkflowFeature = z.infer<typeof featureSchema>;

/** POST /v3/workflows/ as Didit's client sends it; `settings` (this server's own shape) may be sent instead of features. */
export const workflowBodySchema = z.object({
  workflow_label: z.string().min(1).max(50).optional(),
  features: z.array(featureSchema).min(1).max(20).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  is_default: z.boolean().optional(),
  status: z.enum(['draft', 'published']).optional(),
  max_retry_attempts: z.number().int().min(1).max(3).optional(),
  session_expiration_time: z.number().int().min(1).optional(),
  is_white_label_enabled: z.boolean().optional(),
  is_desktop_allowed: z.boolean().optional(),
  retry_window_days: z.number().int().min(0).optional(),
});
export type WorkflowBody = z.infer<typeof workflowBodySchema>;

export interface WorkflowRow {
  uuid: string;
  label: string;
  version: number;
  settings_json: string;
  features_json: string;
  is_default: number;
  status: string;
  max_retry_attempts: number | null;
  session_expiration_time: number | null;
  created_at: string;
  updated_at: string;
}

const num = (config: Record<string, unknown>, ...names: string[]): unknown => names.map((n) => config[n]).find((v) => v !== undefined);

function requireThreshold(feature: string, value: unknown, name: string): number {
  if (value === undefined)
    throw new CodedError('INVALID_ARGUMENT', `${feature} needs config.${name} (0-100): this server does not guess a face threshold.`);
  return Number(value);
}

/** Didit features (in order) to settings; unknown features and bad values are refused with the reason. */
export function settingsFromFeatures(features: readonly WorkflowFeature[], maxAttempts?: number): WorkflowSettings {
  const input: Record<string, unknown> = {};
  for (const { feature, config = {} } of features) {
    if (!(SUPPORTED_FEATURES as readonly string[]).includes(feature)) {
      throw new CodedError(
        'INVALID_ARGUMENT',
        `The feature ${feature.slice(0, 50)} is not offered by this server (it runs ${SUPPORTED_FEATURES.join(', ')}).`,
      );
    }
    if (feature === 'LIVENESS') {
      const method = config.face_liveness_method ?? config.liveness_method;
      if (method !== undefined) {
        const mode = METHOD_TO_MODE[String(method)];
        if (!mode)
          throw new CodedError('INVALID_ARGUMENT', `face_liveness_method must be one of ${Object.keys(METHOD_TO_MODE).join(', ')}.`);
        input.liveness_mode = mode;
      }
      const threshold = num(config, 'liveness_threshold', 'face_liveness_score_decline_threshold');
      if (threshold !== undefined) input.liveness_threshold = Number(threshold);
      if (config.liveness_challenges !== undefined) input.liveness_challenges = config.liveness_challenges;
      const attempts = num(config, 'face_liveness_max_attempts', 'max_attempts');
      if (attempts !== undefined) input.face_liveness_max_attempts = Number(attempts);
    } else if (feature === 'FACE_MATCH') {
      input.face_match = {
        enabled: true,
        threshold: requireThreshold(
          feature,
          num(config, 'face_match_score_decline_threshold', 'threshold'),
          'face_match_score_decline_threshold',
        ),
      };
    } else if (feature === 'FACE_SEARCH') {
      input.face_search = {
        enabled: true,
        threshold: requireThreshold(feature, num(config, 'face_search_score_threshold', 'threshold'), 'face_search_score_threshold'),
      };
    } else {
      const minAge = num(config, 'min_age', 'age_estimation_min_age');
      if (minAge === undefined) throw new CodedError('INVALID_ARGUMENT', 'AGE_ESTIMATION needs config.min_age (years).');
      input.age_estimation = { enabled: true, min_age: Number(minAge) };
    }
  }
  if (maxAttempts !== undefined && input.face_liveness_max_attempts === undefined) input.face_liveness_max_attempts = maxAttempts;
  return parseSettings(input);
}

export function parseSettings(input: unknown): WorkflowSettings {
  const parsed = workflowSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CodedError(
      'INVALID_ARGUMENT',
      `Workflow setting ${issue?.path.join('.') || '(root)'} is invalid: ${issue?.message ?? 'invalid'}.`,
    );
  }
  return parsed.data;
}

/** Settings back to Didit's features list (what GET answers). */
export function featuresFromSettings(settings: WorkflowSettings): WorkflowFeature[] {
  const features: WorkflowFeature[] = [
    {
      feature: 'LIVENESS',
      config: {
        face_liveness_method: MODE_TO_METHOD[settings.liveness_mode],
        liveness_threshold: settings.liveness_threshold,
        liveness_challenges: settings.liveness_challenges,
        face_liveness_max_attempts: settings.face_liveness_max_attempts,
      },
    },
  ];
  if (settings.face_match?.enabled)
    features.push({ feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: settings.face_match.threshold } });
  if (settings.face_search?.enabled)
    features.push({ feature: 'FACE_SEARCH', config: { face_search_score_threshold: settings.face_search.threshold } });
  if (settings.age_estimation?.enabled) features.push({ feature: 'AGE_ESTIMATION', config: { min_age: settings.age_estimation.min_age } });
  return features;
}

export function formatWorkflow(row: WorkflowRow) {
  const settings = JSON.parse(row.settings_json) as WorkflowSettings;
  return {
    uuid: row.uuid,
    workflow_id: row.uuid,
    workflow_label: row.label,
    workflow_type: 'kyc',
    features: featuresFromSettings(settings),
    settings,
    version: Number(row.version),
    is_default: Number(row.is_default) === 1,
    status: row.status,
    max_retry_attempts: row.max_retry_attempts === null ? null : Number(row.max_retry_attempts),
    session_expiration_time: row.session_expiration_time === null ? null : Number(row.session_expiration_time),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function settingsFromBody(body: WorkflowBody, base?: WorkflowSettings): WorkflowSettings {
  if (body.features) return settingsFromFeatures(body.features, body.max_retry_attempts);
  if (body.settings) return parseSettings({ ...(base ?? {}), ...body.settings });
  if (base) return parseSettings({ ...base, ...(body.max_retry_attempts ? { face_liveness_max_attempts: body.max_retry_attempts } : {}) });
  throw new CodedError(
    'INVALID_ARGUMENT',
    'A workflow needs features (e.g. [{"feature":"LIVENESS","config":{"face_liveness_method":"FLASHING"}}]).',
  );
}

/** Sessions keep the settings they were made with, so deleting a workflow (UuidTable's delete) changes none of them. */
export class Workflows extends UuidTable<WorkflowRow> {
  constructor(db: SqlDb) {
    super(db, 'workflows');
  }

  /** The workflow a kiosk runs when nobody chose one: the default, published. */
  defaultWorkflow(): Promise<WorkflowRow | undefined> {
    return this.db.get<WorkflowRow>(
      "SELECT * FROM workflows WHERE is_default = 1 AND status = 'published' ORDER BY updated_at DESC LIMIT 1",
    );
  }

  async create(body: WorkflowBody): Promise<WorkflowRow> {
    const settings = settingsFromBody(body);
    const uuid = randomUUID();
    const now = new Date().toISOString();
    await this.db.tx(async (q) => {
      if (body.is_default) await q.run('UPDATE workflows SET is_default = 0');
      await q.run(
        `INSERT INTO workflows (uuid, label, version, settings_json, features_json, is_default, status, max_retry_attempts, session_expiration_time, created_at, updated_at)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $9)`,
        [
          uuid,
          body.workflow_label ?? 'Liveness',
          JSON.stringify(settings),
          JSON.stringify(body.features ?? featuresFromSettings(settings)),
          body.is_default ? 1 : 0,
          body.status ?? 'published',
          body.max_retry_attempts ?? null,
          body.session_expiration_time ?? null,
          now,
        ],
      );
    });
    return (await this.get(uuid))!;
  }

  /** PATCH: only what is sent changes; every change makes a new version, which kiosks pick up at their next sync. */
  async update(uuid: string, body: WorkflowBody): Promise<WorkflowRow | undefined> {
    return this.db.tx(async (q) => {
      const row = await q.get<WorkflowRow>(`SELECT * FROM workflows WHERE uuid = $1${this.db.forUpdate}`, [uuid]);
      if (!row) return undefined;
      const settings = settingsFromBody(body, JSON.parse(row.settings_json) as WorkflowSettings);
      if (body.is_default) await q.run('UPDATE workflows SET is_default = 0 WHERE uuid <> $1', [uuid]);
      await q.run(
        `UPDATE workflows SET label = $1, version = version + 1, settings_json = $2, features_json = $3, is_default = $4, status = $5,
           max_retry_attempts = $6, session_expiration_time = $7, updated_at = $8 WHERE uuid = $9`,
        [
          body.workflow_label ?? row.label,
          JSON.stringify(settings),
          JSON.stringify(body.features ?? featuresFromSettings(settings)),
          body.is_default === undefined ? Number(row.is_default) : body.is_default ? 1 : 0,
          body.status ?? row.status,
          body.max_retry_attempts ?? row.max_retry_attempts,
          body.session_expiration_time ?? row.session_expiration_time,
          new Date().toISOString(),
          uuid,
        ],
      );
      return q.get<WorkflowRow>('SELECT * FROM workflows WHERE uuid = $1', [uuid]);
    });
  }
}
