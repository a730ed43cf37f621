// `liveness face-eval <fixtures>`: face verification accuracy (FNMR at FMR 1e-2/1e-3/1e-4, EER, DET curve) on the
// identity-labelled photos listed in src/node/eval/face-identities.json.
import { writeFile } from 'node:fs/promises';
import { parseCommandArgs } from '../args';
import { createEngine } from '../../node/engine/index';
import { faceEvalHtml, faceEvalTable, runFaceEval } from '../../node/eval/face-eval';

export const summary = 'FNMR/FMR table and DET curve of face matching on identity-labelled photos';

const USAGE = `usage: liveness face-eval <fixtures-folder> [--json] [--report out.html]

  Embeds the largest face of every photo listed in src/node/eval/face-identities.json (paths under the folder),
  scores every pair by cosine similarity and prints FNMR at FMR 1e-2, 1e-3 and 1e-4 (saying when there are too few
  impostor pairs to observe an FMR), the EER, and the FMR/FNMR of the shipped match / possible-match bands.
  --json          print one JSON object as the last stdout line
  --report FILE   write a self-contained HTML report with the DET curve (no face images)`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { json: { type: 'boolean', default: false }, report: { type: 'string' } }, USAGE, {
    positionals: true,
  });
  if (!parsed) return 0;
  const [folder] = parsed.positionals;
  if (!folder) {
    console.error(USAGE);
    return 1;
  }
  const engine = await createEngine();
  try {
    const result = await runFaceEval(folder, engine);
    for (const line of faceEvalTable(result)) console.log(line);
    if (parsed.values.report) {
      await writeFile(parsed.values.report, faceEvalHtml(result, `liveness face-eval ${argv.join(' ')}`));
      console.log(`report: ${parsed.values.report}`);
    }
    if (parsed.values.json) {
      const { det: _det, ...summaryOnly } = result;
      console.log(JSON.stringify(summaryOnly));
    }
    return result.missed.length > 0 ? 2 : 0;
  } finally {
    await engine.close();
  }
}
