// The evidence report of one session as a PDF: decision, scores per check, challenges in order, flash summary,
// reference image, reviews, and the re-verified signature and hash chain of every kiosk record behind it.
import PDFDocument from 'pdfkit';
import type { EvidenceRecord } from '../node/sync/evidence';
import { MODE_TO_METHOD } from './workflows';
import type { RecordVerification } from './evidence-check';
import type { DecisionRow, ReviewRow, SessionRow } from './storage';

export interface EvidenceInput {
  session: SessionRow;
  decisions: Array<{ row: DecisionRow; image: Buffer | null; verification: RecordVerification }>;
  reviews: ReviewRow[];
  generatedAt: string;
}

const show = (value: unknown): string =>
  value === null || value === undefined ? '-' : typeof value === 'number' ? String(Math.round(value * 100) / 100) : String(value);
const yesNo = (value: boolean | null): string => (value === null ? 'no image held' : value ? 'yes' : 'NO');

export function renderEvidencePdf(input: EvidenceInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Liveness evidence ${input.session.session_id}`, Producer: 'liveness server' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const heading = (text: string) => doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).text(text).font('Helvetica').fontSize(10);
  const line = (label: string, value: unknown) =>
    doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(show(value));
  const { session } = input;

  doc.font('Helvetica-Bold').fontSize(18).text('Liveness verification evidence report');
  doc.font('Helvetica').fontSize(10).text(`Generated ${input.generatedAt} by the central liveness service.`);
  heading('Decision');
  line('Session', session.session_id);
  line('Session number', Number(session.id));
  line('Status', session.status);
  line('Origin', session.origin === 'api' ? 'created centrally, taken at a kiosk' : 'walk-in at a kiosk');
  line('Kiosk', session.device_id);
  line('Workflow', session.workflow_id ? `${session.workflow_id} (version ${show(session.workflow_version)})` : null);
  line('Created', session.created_at);
  line('Last change', session.updated_at);
  if (input.decisions.length === 0) doc.text('No kiosk has recorded a result for this session yet.');

  input.decisions.forEach(({ row, image, verification }, index) => {
    const result = (JSON.parse(row.record_json) as EvidenceRecord).result;
    heading(`Check ${index + 1} of ${input.decisions.length}: ${MODE_TO_METHOD[result.liveness_mode]} (${result.liveness_mode})`);
    line('Result status', result.status);
    line('Decided at', result.created_at);
    line(
      'Liveness score',
      `${show(result.liveness_score)} (threshold ${result.liveness_threshold}, ${result.liveness_passed ? 'passed' : 'not passed'})`,
    );
    line('Passive texture score', result.passive_score);
    line('Pose variation score', result.pose_variation_score);
    line('Expression variation score', result.expression_variation_score);
    line('Flash reflection score', result.flash_score);
    line('Planar-attack score', result.planar_score);
    line('Face quality / luminance', `${show(result.face_quality)} / ${show(result.face_luminance)}`);
    line('Frames captured', result.frames_captured);
    line('Attempts', `${result.attempts_used} of ${result.max_attempts}`);
    line('Warnings', result.warnings.length ? result.warnings.join(', ') : 'none');
    line(
      'Challenges asked, in order',
      result.challenge_sequence.length ? result.challenge_sequence.map((c, i) => `${i + 1}. ${c}`).join('  ') : 'none',
    );
    line('Challenges completed', result.challenges_completed.length ? result.challenges_completed.join(', ') : 'none');
    for (const outcome of result.challenge_outcomes ?? [])
      line(`  ${outcome.challenge}`, `${outcome.reason}, credit ${show(outcome.credit)}`);
    if (result.flash_sequence) {
      const steps = result.flash_sequence.steps;
      const totalMs = steps.reduce((sum, step) => sum + step.durationMs, 0);
      line('Flash sequence', `${steps.length} colours over ${totalMs} ms, seed ${result.flash_sequence.seed}`);
      line(
        'Colours',
        steps
          .slice(0, 12)
          .map((step) => `rgb(${step.rgb.join(',')})`)
          .join(' ') + (steps.length > 12 ? ' …' : ''),
      );
    } else {
      line('Flash sequence', 'none (no flash in this mode)');
    }
    line(
      'Models',
      Object.entries(result.model_versions)
        .map(([name, version]) => `${name} ${version}`)
        .join('; '),
    );

    doc.moveDown(0.3).font('Helvetica-Bold').text('Kiosk record and its verification');
    doc.font('Helvetica');
    line('Device', row.device_id);
    line('Record sequence', Number(row.seq));
    line('Record hash (sha256)', row.hash);
    line('Previous hash', row.prev_hash);
    line('Signature (Ed25519)', row.signature);
    line('Hash recomputed and matches', yesNo(verification.hash_matches));
    line("Signature verifies with the kiosk's enrolled key", yesNo(verification.signature_valid));
    line(
      'Hash chain',
      {
        linked: "linked to the kiosk's previous record",
        genesis: "the kiosk's first record",
        broken: 'BROKEN',
        unavailable: 'previous record not held here',
      }[verification.chain],
    );
    line('Reference image matches its signed hash', yesNo(verification.image_matches));
    line('Record verified', verification.verified ? 'yes' : 'NO');
    if (image) {
      doc.moveDown(0.3).font('Helvetica-Bold').text('Reference image').font('Helvetica');
      try {
        doc.image(image, { fit: [200, 200] });
      } catch {
        doc.text('The stored reference image could not be drawn (not a decodable JPEG); its hash is checked above.');
      }
    }
  });

  heading('Reviews');
  if (input.reviews.length === 0) doc.text('No reviews.');
  for (const review of input.reviews) {
    doc.text(
      `${review.reviewed_at}  ${review.reviewer}: ${review.previous_status} -> ${review.new_status}${review.note ? `  "${review.note}"` : ''}`,
    );
  }
  doc.end();
  return done;
}
