// The console's view of the API's workflows (/v3/workflows/, src/server/workflows.ts) and webhook destinations
// (/v3/webhook/destinations/, src/server/destinations.ts): the same rows, in the console's form shape, each change
// audited field by field in the console's log. Kiosks fetch the same signed workflow at their next sync.
import { CHALLENGES, LIVENESS_MODES, type Challenge } from '../../shared/catalogue';
import { CodedError } from '../../shared/errors';
import { DEFAULT_FACE_MATCH_DECLINE_THRESHOLD, SCORE_MATCH } from '../../shared/face-match';
import type { WorkflowSettings } from '../../shared/workflow';
import type { WebhookDestinations, DestinationRow } from '../destinations';
import type { WorkflowRow, Workflows } from '../workflows';
import type { Actor, ConsoleStore } from './store';

/** The checks the console turns on besides liveness: 1:1 face match and 1:N face search (blocklist, duplicates). */
export const WORKFLOW_CHECKS = ['LIVENESS', 'FACE_MATCH', 'FACE_SEARCH'] as const;
export type WorkflowCheck = (typeof WORKFLOW_CHECKS)[number];

/** Modes that ask for movements: they need at least one challenge. */
const CHALLENGE_MODES = new Set(['active', 'action_flash']);

export interface ConsoleWorkflow {
  id: string;
  name: string;
  liveness_mode: (typeof LIVENESS_MODES)[number];
  liveness_threshold: number;
  max_attempts: number;
  challenges: Challenge[];
  checks: WorkflowCheck[];
  is_default: boolean;
  status: string;
  version: number;
  updated_at: string;
}
export type ConsoleWorkflowInput = Pick<
  ConsoleWorkflow,
  'name' | 'liveness_mode' | 'liveness_threshold' | 'max_attempts' | 'challenges' | 'checks' | 'is_default'
>;

export function toConsoleWorkflow(row: WorkflowRow): ConsoleWorkflow {
  const settings = JSON.parse(row.settings_json) as WorkflowSettings;
  return {
    id: row.uuid,
    name: row.label,
    liveness_mode: settings.liveness_mode,
    liveness_threshold: settings.liveness_threshold,
    max_attempts: settings.face_liveness_max_attempts,
    challenges: CHALLENGE_MODES.has(settings.liveness_mode) ? settings.liveness_challenges : [],
    checks: [
      'LIVENESS',
      ...(settings.face_match?.enabled ? (['FACE_MATCH'] as const) : []),
      ...(settings.face_search?.enabled ? (['FACE_SEARCH'] as const) : []),
    ],
    is_default: Number(row.is_default) === 1,
    status: row.status,
    version: Number(row.version),
    updated_at: row.updated_at,
  };
}

/** The console's form as API settings; a check turned on keeps its threshold, or starts at the measured band. */
function settingsPatch(input: ConsoleWorkflowInput, base: WorkflowSettings | null): Record<string, unknown> {
  if (!input.checks.includes('LIVENESS')) throw new CodedError('INVALID_ARGUMENT', 'Every workflow runs the LIVENESS check.');
  const challenges = [...new Set(input.challenges)];
  if (CHALLENGE_MODES.has(input.liveness_mode) && challenges.length === 0) {
    throw new CodedError('INVALID_ARGUMENT', 'An active or action_flash workflow needs at least one challenge.');
  }
  const check = (name: WorkflowCheck, current: { threshold: number } | undefined, start: number) =>
    input.checks.includes(name)
      ? { enabled: true, threshold: current?.threshold ?? start }
      : { enabled: false, threshold: current?.threshold ?? start };
  return {
    liveness_mode: input.liveness_mode,
    liveness_threshold: input.liveness_threshold,
    face_liveness_max_attempts: input.max_attempts,
    // Modes without movements keep the challenge list they had (the API requires one); it is unused there.
    liveness_challenges: challenges.length > 0 ? challenges : (base?.liveness_challenges ?? [...CHALLENGES]),
    face_match: check('FACE_MATCH', base?.face_match, DEFAULT_FACE_MATCH_DECLINE_THRESHOLD),
    face_search: check('FACE_SEARCH', base?.face_search, SCORE_MATCH),
  };
}

function diff(before: ConsoleWorkflow, after: ConsoleWorkflow): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of ['name', 'liveness_mode', 'liveness_threshold', 'max_attempts', 'challenges', 'checks', 'is_default'] as const) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key], to: after[key] };
  }
  return changes;
}

export function consoleWorkflows(workflows: Workflows, audit: ConsoleStore) {
  return {
    async list(): Promise<ConsoleWorkflow[]> {
      return (await workflows.list()).map(toConsoleWorkflow);
    },

    async get(id: string): Promise<ConsoleWorkflow | null> {
      const row = await workflows.get(id);
      return row ? toConsoleWorkflow(row) : null;
    },

    /** Create (id null) or edit; every edit is a new version that kiosks pick up at their next sync. */
    async save(id: string | null, input: ConsoleWorkflowInput, actor: Actor): Promise<ConsoleWorkflow> {
      const name = input.name.trim();
      if (name.length < 1 || name.length > 50) throw new CodedError('INVALID_ARGUMENT', 'A workflow needs a name of 1-50 characters.');
      if (id === null) {
        const created = toConsoleWorkflow(
          await workflows.create({
            workflow_label: name,
            settings: settingsPatch(input, null),
            is_default: input.is_default,
            status: 'published',
          }),
        );
        await audit.audit(actor, 'workflow.create', `workflow:${created.id}`, { created: { ...input, name } });
        return created;
      }
      const row = await workflows.get(id);
      if (!row) throw new CodedError('NOT_FOUND', 'No such workflow.');
      const before = toConsoleWorkflow(row);
      const updated = await workflows.update(id, {
        workflow_label: name,
        settings: settingsPatch(input, JSON.parse(row.settings_json) as WorkflowSettings),
        is_default: input.is_default,
      });
      if (!updated) throw new CodedError('NOT_FOUND', 'No such workflow.');
      const after = toConsoleWorkflow(updated);
      await audit.audit(actor, 'workflow.update', `workflow:${id}`, diff(before, after));
      return after;
    },
  };
}

export interface ConsoleDestination {
  id: string;
  label: string;
  url: string;
  enabled: boolean;
  created_at: string;
}

const toConsoleDestination = (row: DestinationRow): ConsoleDestination => ({
  id: row.uuid,
  label: row.label,
  url: row.url,
  enabled: Number(row.enabled) === 1,
  created_at: row.created_at,
});

export function consoleDestinations(destinations: WebhookDestinations, audit: ConsoleStore) {
  return {
    async list(): Promise<ConsoleDestination[]> {
      return (await destinations.list()).map(toConsoleDestination);
    },

    /** The signing secret is shown once, here; the receiver needs it to verify x-signature. */
    async create(input: { label: string; url: string }, actor: Actor): Promise<ConsoleDestination & { secret: string }> {
      const row = await destinations.create({ label: input.label, url: input.url });
      await audit.audit(actor, 'webhook.create', `webhook:${row.uuid}`, { label: row.label, url: row.url });
      return { ...toConsoleDestination(row), secret: row.secret };
    },

    async setEnabled(id: string, enabled: boolean, actor: Actor): Promise<void> {
      if (!(await destinations.update(id, { enabled }))) throw new CodedError('NOT_FOUND', 'No such webhook destination.');
      await audit.audit(actor, enabled ? 'webhook.enable' : 'webhook.disable', `webhook:${id}`);
    },

    async remove(id: string, actor: Actor): Promise<void> {
      if (!(await destinations.delete(id))) throw new CodedError('NOT_FOUND', 'No such webhook destination.');
      await audit.audit(actor, 'webhook.delete', `webhook:${id}`);
    },
  };
}
