// labels.csv of a labelled evaluation folder (the format of ../shared/fixtures/labels.csv). Pure: text in, rows out.
import { CodedError } from '../../shared/errors';

export interface LabelRow {
  /** 1-based line of the row in the file (for messages). */
  line: number;
  path: string;
  label: 'real' | 'spoof' | 'other';
  kind: 'image' | 'crop' | 'video';
  attack: string;
  /** Where the file comes from; defaults to the first folder of the path. */
  source: string;
  fields: Record<string, string>;
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new CodedError('INVALID_PAYLOAD', 'labels.csv ends inside a quoted field.');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
}

const LABELS = new Set(['real', 'spoof', 'other']);
const KINDS = new Set(['image', 'crop', 'video']);

/** The rows of a labels.csv; a row with an unknown label or kind is an error naming its line. */
export function parseLabels(text: string): LabelRow[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new CodedError('INVALID_PAYLOAD', 'labels.csv is empty.');
  const names = header.map((h) => h.trim());
  for (const required of ['path', 'label', 'kind']) {
    if (!names.includes(required))
      throw new CodedError('INVALID_PAYLOAD', `labels.csv has no "${required}" column (columns: ${names.join(', ')}).`);
  }
  return rows.map((cells, index) => {
    const fields = Object.fromEntries(names.map((n, k) => [n, (cells[k] ?? '').trim()]));
    const line = index + 2;
    if (!LABELS.has(fields.label))
      throw new CodedError('INVALID_PAYLOAD', `labels.csv line ${line}: label "${fields.label}" is not real, spoof or other.`);
    if (!KINDS.has(fields.kind))
      throw new CodedError('INVALID_PAYLOAD', `labels.csv line ${line}: kind "${fields.kind}" is not image, crop or video.`);
    const attack = fields.attack && fields.attack !== '-' ? fields.attack : '';
    return {
      line,
      path: fields.path,
      label: fields.label as LabelRow['label'],
      kind: fields.kind as LabelRow['kind'],
      attack,
      source: fields.source || fields.path.split('/')[0],
      fields,
    };
  });
}

/** Short attack family for grouping ("screen (smartphone …)" -> "screen", "replay/screen (…)" -> "replay/screen"). */
export function attackFamily(attack: string): string {
  const head = attack.split('(')[0].trim();
  return head || 'unspecified';
}

export const ATTACK_SPECIES = ['replay', 'print', 'mask', 'other'] as const;
/** ISO/IEC 30107-3 attack species as the kiosk reports them: screen replays, paper prints, masks, the rest. */
export type AttackSpecies = (typeof ATTACK_SPECIES)[number];

/** The species of a labels.csv attack description ("screen (smartphone …)" and "replay/screen" are replays). */
export function attackSpecies(attack: string): AttackSpecies {
  const text = attack.toLowerCase();
  if (/mask/.test(text)) return 'mask';
  if (/print|paper|photo on paper/.test(text)) return 'print';
  if (/replay|screen|display|phone|tablet|monitor/.test(text)) return 'replay';
  return 'other';
}
