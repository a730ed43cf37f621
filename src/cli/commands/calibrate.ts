// `liveness calibrate`: flags and wiring only. Pack format: src/node/calibration/pack.ts; pooling, refit and rates:
// src/node/calibration/calibrate.ts; rendering: src/node/calibration/report.ts.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_THRESHOLD } from '../../shared/bands';
import { CodedError, toCodedError } from '../../shared/errors';
import { parseCommandArgs, parseThresholdFlag } from '../args';
import { DEFAULT_MAX_BPCER, calibrate, siteProfile } from '../../node/calibration/calibrate';
import { generatePackKeyPair, openPack, readPrivateKey, type PackManifest } from '../../node/calibration/pack';
import { renderCalibrationText } from '../../node/calibration/report';

export const summary = 'pool pilot capture packs, refit thresholds and constants, APCER/BPCER with 95% intervals';

const USAGE = `usage: liveness calibrate --key calibration.key.pem <pack.lcp|folder>... [--threshold 75] [--max-bpcer 0.15]
                          [--profile site-profile.json] [--json]
       liveness calibrate keygen --out <folder>

  Opens every capture pack given (folders: every *.lcp inside), pools them across sites, re-judges each recorded
  attempt with the kiosk's decision core, refits the pass threshold (highest with BPCER <= --max-bpcer) and the flash
  and planar constants where the bona fide and attack attempts separate, and prints APCER per species and BPCER
  with 95% intervals (Wilson; rule of three where no error was seen) and the subjects and attempts behind each,
  with the shipped constants and with the refit ones (in-sample). --profile writes the site profile a workflow can
  carry. A pack that does not open is reported and skipped; nothing is changed on disk.
  keygen writes calibration.pub.pem (give it to kiosks: --pack-recipient) and calibration.key.pem (0600; keep it
  with the calibration team, never on a kiosk).
Exit code: 0 when every pack opened, 2 when any did not, 1 on a usage error.`;

async function keygen(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { out: { type: 'string' } }, USAGE);
  if (!parsed) return 0;
  const out = parsed.values.out;
  if (!out) throw new CodedError('INVALID_ARGUMENT', `keygen needs --out <folder>.\n\n${USAGE}`);
  const { publicPem, privatePem } = generatePackKeyPair();
  const pub = path.join(out, 'calibration.pub.pem');
  const key = path.join(out, 'calibration.key.pem');
  // 'wx': never overwrite a key that may already have sealed packs.
  await writeFile(key, privatePem, { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    throw new CodedError(
      err.code === 'EEXIST' ? 'CONFLICT' : 'INVALID_ARGUMENT',
      `${key} ${err.code === 'EEXIST' ? 'already exists; it is never overwritten' : 'cannot be written'}.`,
    );
  });
  await writeFile(pub, publicPem, { flag: 'wx' });
  console.log(`wrote ${pub} (for kiosks: liveness kiosk --pack-recipient ${pub})`);
  console.log(`wrote ${key} (0600: keep it with the calibration team)`);
  return 0;
}

/** The pack files named: files as given, folders expanded to their *.lcp files (sorted). */
async function packFiles(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (!info) throw new CodedError('FILE_NOT_FOUND', `${input} does not exist.`);
    if (info.isDirectory())
      files.push(
        ...(await readdir(input))
          .filter((f) => f.endsWith('.lcp'))
          .sort()
          .map((f) => path.join(input, f)),
      );
    else files.push(input);
  }
  return files;
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'keygen') return keygen(argv.slice(1));
  const parsed = parseCommandArgs(
    argv,
    {
      key: { type: 'string' },
      threshold: { type: 'string' },
      'max-bpcer': { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
    { positionals: true },
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (!values.key) throw new CodedError('INVALID_ARGUMENT', `--key <calibration.key.pem> is required: packs are sealed to it.\n\n${USAGE}`);
  if (positionals.length === 0) throw new CodedError('INVALID_ARGUMENT', `give at least one capture pack or folder.\n\n${USAGE}`);
  const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : parseThresholdFlag(values.threshold);
  const maxBpcer = values['max-bpcer'] === undefined ? DEFAULT_MAX_BPCER : Number(values['max-bpcer']);
  if (!(maxBpcer > 0 && maxBpcer < 1))
    throw new CodedError('INVALID_ARGUMENT', `--max-bpcer must be between 0 and 1 (e.g. 0.05), not "${values['max-bpcer']}".`);
  const privateKey = readPrivateKey(
    await readFile(values.key, 'utf8').catch((err: unknown) => {
      throw new CodedError('FILE_NOT_FOUND', `The key ${values.key} cannot be read.`, { cause: err });
    }),
  );

  const files = await packFiles(positionals);
  const manifests: PackManifest[] = [];
  const failures: { file: string; code: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    try {
      const { manifest } = openPack(await readFile(file), privateKey);
      // The same pack copied into two folders is one attempt, not two.
      if (seen.has(manifest.pack_id)) continue;
      seen.add(manifest.pack_id);
      manifests.push(manifest);
    } catch (err) {
      const coded = toCodedError(err);
      failures.push({ file, code: coded.code, message: coded.message });
    }
  }
  if (manifests.length === 0)
    throw new CodedError(
      'INVALID_ARGUMENT',
      `No capture pack opened (${failures.length} tried): ${failures.map((f) => `${f.file}: ${f.message}`).join('; ') || 'none given'}.`,
    );
  const report = calibrate(manifests, { threshold, maxBpcer });
  console.log(renderCalibrationText(report));
  for (const f of failures) console.log(`not opened: ${f.file}: ${f.code}: ${f.message}`);
  const profile = siteProfile(report, new Date().toISOString());
  if (values.profile) {
    await writeFile(values.profile, `${JSON.stringify(profile, null, 2)}\n`, 'utf8');
    console.log(`site profile written to ${values.profile}`);
  }
  if (values.json) console.log(JSON.stringify({ ...report, failures, profile }));
  return failures.length ? 2 : 0;
}
