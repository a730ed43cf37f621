// Per-mode evaluation metrics: species, not-applicable rows, Approved-only acceptance.
import { describe, expect, it } from 'vitest';
import { modeMetrics, type ModeUnit } from '../../src/node/eval/analysis';
import { attackSpecies } from '../../src/node/eval/labels';
import { renderModesText } from '../../src/node/eval/report-text';
import { sniffVideo } from '../../src/node/engine/video';

const unit = (over: Partial<ModeUnit>): ModeUnit => ({
  line: 2,
  path: 'x.mp4',
  label: 'real',
  kind: 'video',
  species: null,
  source: 's1',
  mode: 'flash',
  applicable: true,
  status: 'Approved',
  score: 90,
  accepted: true,
  ...over,
});

describe('eval --mode metrics', () => {
  it('maps the fixture attack descriptions to species', () => {
    expect(attackSpecies("screen (smartphone showing the person's face)")).toBe('replay');
    expect(attackSpecies('replay/screen (source fake video absent)')).toBe('replay');
    expect(attackSpecies('replay')).toBe('replay');
    expect(attackSpecies('print')).toBe('print');
    expect(attackSpecies('mask')).toBe('mask');
    expect(attackSpecies('')).toBe('other');
  });

  it('a clip that cannot carry the mode is not applicable: neither a pass nor a failure', () => {
    const units = [
      unit({ path: 'genuine.mp4' }),
      unit({ path: 'replay.mp4', label: 'spoof', species: 'replay', status: 'Declined', score: 10, accepted: false }),
      unit({
        path: 'no-sequence.mp4',
        label: 'spoof',
        species: 'replay',
        applicable: false,
        reason: 'no recorded flash sequence',
        status: null,
        score: null,
        accepted: false,
      }),
    ];
    const m = modeMetrics(units, 'flash');
    expect(m.judged).toBe(2);
    expect(m.not_applicable).toBe(1);
    expect(m.apcer.attempts).toBe(1);
    expect(m.apcer_per_species.replay).toMatchObject({ errors: 0, attempts: 1, method: 'rule_of_three' });
    expect(m.bpcer).toMatchObject({ errors: 0, attempts: 1 });
    const text = renderModesText({ folder: 'f', threshold: 75, fps: 10, modes: [m], units, n_skipped_other: 0, models: {} });
    expect(text).toMatch(/Not applicable[^\n]*\n\s+flash: no-sequence\.mp4: no recorded flash sequence/);
  });

  it('In Review is not an acceptance for an attack, and is a rejection for a bona fide', () => {
    const units = [
      unit({ label: 'real', status: 'In Review', accepted: false }),
      unit({ label: 'real', status: 'Approved', accepted: true }),
      unit({ label: 'spoof', species: 'print', status: 'In Review', accepted: false }),
      unit({ label: 'spoof', species: 'print', status: 'Approved', accepted: true }),
    ];
    const m = modeMetrics(units, 'flash');
    expect(m.bpcer.rate).toBe(0.5);
    expect(m.bona_fide_in_review).toBe(1);
    expect(m.apcer_per_species.print?.rate).toBe(0.5);
    expect(m.acer).toBe(0.5);
  });

  it('recognises the containers ffmpeg reads beyond MP4/MOV/WebM (OpenCV AVI, MPEG-TS, Ogg, FLV)', () => {
    const bytes = (text: string) => new Uint8Array([...text].map((c) => c.charCodeAt(0)));
    expect(sniffVideo(bytes('RIFF\0\0\0\0AVI LIST'))).toBe('avi');
    expect(sniffVideo(bytes('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
    expect(sniffVideo(bytes('OggS\0\0\0\0'))).toBe('ogg');
    expect(sniffVideo(bytes('FLV\x01'))).toBe('flv');
    const ts = new Uint8Array(376);
    ts[0] = 0x47;
    ts[188] = 0x47;
    expect(sniffVideo(ts)).toBe('mpegts');
  });
});
