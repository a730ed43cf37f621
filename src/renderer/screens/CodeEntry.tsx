// "I have a code": the person types the short code a teller gave them on a large on-screen keypad, or holds the QR
// of their slip up to the camera (decoded here with jsQR from preview frames). The kiosk service takes the session
// (online by code, or offline from the QR's signed ticket) and answers with the plan of that session's workflow.
import jsQR from 'jsqr';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CodedErrorShape } from '../../shared/errors';
import type { BranchRefusal, KioskApi, SessionPlan } from '../../shared/ipc-contract';
import { SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH } from '../../shared/short-code';
import { IDLE_TIMEOUT_S, useIdleTimeout } from '../idle';
import type { StringKey, Translate } from '../i18n';
import { IdleNotice } from './IdleNotice';

/** A QR payload this kiosk can take: a server-signed session ticket (src/server/signing.ts). */
const TICKET_PREFIX = 'lvs1.';
/** How often a preview frame is searched for a QR: often enough to feel instant, rarely enough to stay cheap. */
const QR_SCAN_INTERVAL_MS = 250;

interface Props {
  t: Translate;
  api: KioskApi;
  cameraDeviceId: string | null;
  idleS: number | null;
  onTaken(plan: SessionPlan, offline: boolean): void;
  onCancel(): void;
  onError(error: CodedErrorShape): void;
}

/** "K7QM3X" -> "K7QM-3X": the grouping the teller's slip shows. */
const grouped = (code: string) => (code.length > 4 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

export function CodeEntryScreen({ t, api, cameraDeviceId, idleS, onTaken, onCancel, onError }: Props) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<BranchRefusal | null>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const busyRef = useRef(false);
  /** A ticket already refused is not sent again while it stays in front of the camera. */
  const refusedTicket = useRef<string | null>(null);
  const idle = useIdleTimeout(idleS ?? IDLE_TIMEOUT_S.consent, onCancel);

  const claim = useCallback(
    async (request: { code: string } | { ticket: string }) => {
      if (busyRef.current) return;
      busyRef.current = true;
      setBusy(true);
      setRefusal(null);
      const response = await api.claimBranchSession(request);
      busyRef.current = false;
      setBusy(false);
      if (!response.ok) return onError(response.error);
      if (response.value.taken) return onTaken(response.value.plan, response.value.offline);
      if ('ticket' in request) refusedTicket.current = request.ticket;
      setRefusal(response.value.reason);
    },
    [api, onError, onTaken],
  );

  // Touches and keys restart the idle countdown by themselves (useIdleTimeout listens to them).
  const press = useCallback((char: string) => {
    setRefusal(null);
    setCode((current) => (current.length < SHORT_CODE_LENGTH ? current + char : current));
  }, []);
  const erase = useCallback(() => setCode((current) => current.slice(0, -1)), []);

  // A staff keyboard (or an accessibility switch) types too.
  useEffect(() => {
    const key = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.altKey || event.metaKey) return;
      const char = event.key.toUpperCase();
      if (char.length === 1 && SHORT_CODE_ALPHABET.includes(char)) press(char);
      else if (event.key === 'Backspace') erase();
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [press, erase]);

  // The camera looks for the slip's QR while the screen is open.
  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: number | undefined;
    let cancelled = false;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const scan = () => {
      const video = videoRef.current;
      if (!context || !video || video.readyState < 2 || busyRef.current) return;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const found = jsQR(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height, {
        inversionAttempts: 'dontInvert',
      });
      const ticket = found?.data.trim();
      if (ticket?.startsWith(TICKET_PREFIX) && ticket !== refusedTicket.current) void claim({ ticket });
    };
    const video: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 } };
    if (cameraDeviceId) video.deviceId = { exact: cameraDeviceId };
    navigator.mediaDevices
      ?.getUserMedia({ video, audio: false })
      .then(async (media) => {
        if (cancelled) return media.getTracks().forEach((track) => track.stop());
        stream = media;
        const element = videoRef.current;
        if (!element) return;
        element.srcObject = media;
        await element.play().catch(() => undefined);
        timer = window.setInterval(scan, QR_SCAN_INTERVAL_MS);
      })
      // Without a camera the keypad still works; the QR hint simply finds nothing.
      .catch(() => undefined);
    return () => {
      cancelled = true;
      if (timer !== undefined) window.clearInterval(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [cameraDeviceId, claim]);

  const complete = code.length === SHORT_CODE_LENGTH;
  return (
    <main className="screen code-entry">
      <h1>{t('codeHeading')}</h1>
      <p className="lead">{t('codeBody')}</p>
      <output className="code-display" aria-label={t('codeLabel')} aria-live="polite" data-testid="code-display">
        {grouped(code) || '\u00a0'}
      </output>
      {refusal && (
        <p className="refusal" role="alert" data-reason={refusal}>
          {t(`refusal_${refusal}` as StringKey)}
        </p>
      )}
      {busy && <p role="status">{t('checkingCode')}</p>}
      <div className="keypad" role="group" aria-label={t('codeKeypad')}>
        {[...SHORT_CODE_ALPHABET].map((char) => (
          <button key={char} type="button" className="key" disabled={busy || complete} onClick={() => press(char)}>
            {char}
          </button>
        ))}
        <button type="button" className="key wide" aria-label={t('deleteKey')} disabled={busy || code.length === 0} onClick={erase}>
          ⌫
        </button>
        <button
          type="button"
          className="key wide"
          disabled={busy || code.length === 0}
          onClick={() => {
            setCode('');
            setRefusal(null);
          }}
        >
          {t('clearCode')}
        </button>
      </div>
      <div className="actions">
        <button type="button" className="primary huge" disabled={busy || !complete} onClick={() => void claim({ code: grouped(code) })}>
          {t('continueCode')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
      <figure className="qr-scan">
        <video ref={videoRef} muted playsInline aria-hidden="true" />
        <figcaption>{t('scanQr')}</figcaption>
      </figure>
      <IdleNotice t={t} secondsLeft={idle.secondsLeft} onStay={idle.reset} />
    </main>
  );
}
