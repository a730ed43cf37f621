// Capture: camera preview with the oval guide, live guidance from the engine, challenge prompts and the flash.
// Frames go to the engine as JPEG at ~15 fps; a frame is dropped (not queued) while the previous one is in flight.
import { useEffect, useRef, useState } from 'react';
import type { Challenge } from '../../shared/catalogue';
import type { CodedErrorShape } from '../../shared/errors';
import type { GuidanceCode, KioskApi, Language, SessionOutcome, SessionPlan, SessionUpdate } from '../../shared/ipc-contract';
import { FLASH_REST_RGB, flashStepAt } from '../../liveness/flash';
import { IDLE_TIMEOUT_S, useIdleTimeout } from '../idle';
import { SPEECH_LANG, challengeKey, guidanceKey, type Translate } from '../i18n';
import { ExitAction } from './ExitAction';
import { IdleNotice } from './IdleNotice';
import { ChallengeIcon, TickIcon } from './icons';
import { lockForFlash } from '../camera/exposure';
import { CameraRefusedError, openTrustedCamera } from '../camera/trusted-camera';
import type { CameraRefusal } from '../../shared/camera-trust';

const FRAME_INTERVAL_MS = 66;
const FRAME_WIDTH = 640;
const JPEG_QUALITY = 0.85;
/** How long the tick stays after a movement counted (long enough to see, short of the next prompt's reading time). */
const TICK_MS = 900;
/**
 * A dark face first gets the screen as fill light (a white, full-brightness page) and this long for the camera's
 * exposure to follow, before the person is asked to move; a person at a fixed kiosk often cannot move.
 */
export const FILL_LIGHT_FIRST_MS = 4000;

interface Props {
  t: Translate;
  api: KioskApi;
  plan: SessionPlan;
  language: Language;
  cameraDeviceId: string | null;
  idleS: number | null;
  onFillLight(on: boolean): void;
  onOutcome(outcome: SessionOutcome): void;
  onCancel(): void;
  onError(error: CodedErrorShape): void;
}

type CameraState = 'starting' | 'live' | 'failed' | 'refused';

export function CaptureScreen({ t, api, plan, language, cameraDeviceId, idleS, onFillLight, onOutcome, onCancel, onError }: Props) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState<CameraState>('starting');
  const [refusal, setRefusal] = useState<CameraRefusal | null>(null);
  const [update, setUpdate] = useState<SessionUpdate | null>(null);
  const [finishing, setFinishing] = useState(false);
  const [tickUntil, setTickUntil] = useState(0);
  const [fillLightSince, setFillLightSince] = useState<number | null>(null);
  const [, setNow] = useState(0);
  const clockOrigin = useRef(performance.now());
  const trackRef = useRef<MediaStreamTrack | null>(null);
  const lastIndex = useRef(0);

  // A camera that never starts must not keep the kiosk here: back to attract after a while, with a countdown.
  const idle = useIdleTimeout(
    camera === 'failed' || camera === 'refused' ? (idleS ?? IDLE_TIMEOUT_S.cameraFailed) : null,
    () => void cancel(),
  );

  // A tick when a movement counted (the challenge index moved on).
  useEffect(() => {
    if (!update) return;
    if (update.challengeIndex > lastIndex.current) {
      lastIndex.current = update.challengeIndex;
      setTickUntil(performance.now() + TICK_MS);
      const timer = window.setTimeout(() => setNow(performance.now()), TICK_MS + 20);
      return () => window.clearTimeout(timer);
    }
  }, [update]);

  // Too dark: the screen becomes the fill light first; only later is the person asked to find more light.
  const tooDark = update?.guidance.includes('too_dark') ?? false;
  useEffect(() => {
    if (!tooDark || fillLightSince !== null) return;
    setFillLightSince(performance.now());
    onFillLight(true);
    const timer = window.setTimeout(() => setNow(performance.now()), FILL_LIGHT_FIRST_MS + 20);
    return () => window.clearTimeout(timer);
  }, [tooDark, fillLightSince, onFillLight]);
  const fillLightSettling = fillLightSince !== null && performance.now() - fillLightSince < FILL_LIGHT_FIRST_MS;

  // Camera: the chosen device (or the default), stopped when the screen goes away.
  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    const video: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } };
    // Only the pinned (or chosen) camera, and only once the kiosk has checked it (camera/trusted-camera.ts).
    openTrustedCamera(api, cameraDeviceId, video)
      .then(async (media) => {
        if (cancelled) return media.getTracks().forEach((track) => track.stop());
        stream = media;
        trackRef.current = media.getVideoTracks()[0] ?? null;
        const element = videoRef.current;
        if (!element) return;
        element.srcObject = media;
        await element.play().catch(() => undefined);
        setCamera('live');
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        if (err instanceof CameraRefusedError) setRefusal(err.reason);
        setCamera(err instanceof CameraRefusedError ? 'refused' : 'failed');
      });
    return () => {
      cancelled = true;
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [api, cameraDeviceId]);

  // Results arrive as an event (the engine finished the attempt on a frame) or from an explicit finish.
  useEffect(() => {
    const offResult = api.onResult((outcome) => {
      if (outcome.sessionId === plan.sessionId) onOutcome(outcome);
    });
    return offResult;
  }, [api, plan.sessionId, onOutcome]);

  // Frame loop: grab, encode, send; skip a tick while a frame is in flight.
  useEffect(() => {
    if (camera !== 'live') return;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d');
    let inFlight = false;
    let stopped = false;
    const tick = async () => {
      const video = videoRef.current;
      if (inFlight || stopped || !video || !context || video.readyState < 2 || video.videoWidth === 0) return;
      inFlight = true;
      try {
        const scale = Math.min(1, FRAME_WIDTH / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const timestampMs = performance.now() - clockOrigin.current;
        const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
        if (!blob || stopped) return;
        const jpeg = new Uint8Array(await blob.arrayBuffer());
        const response = await api.pushFrame({ sessionId: plan.sessionId, timestampMs, jpeg });
        if (stopped) return;
        if (response.ok) {
          const next = response.value;
          setUpdate((previous) => (previous && previous.timestampMs > next.timestampMs ? previous : next));
          if (next.done) setFinishing(true);
        } else if (response.error.code === 'NOT_FOUND' || response.error.code === 'FORBIDDEN' || response.error.code === 'NETWORK_ERROR') {
          stopped = true;
          onError(response.error);
        }
        // RATE_LIMITED (dropped) and CONFLICT (attempt already decided) need nothing: the result event follows.
      } finally {
        inFlight = false;
      }
    };
    const timer = window.setInterval(() => void tick(), FRAME_INTERVAL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [api, camera, plan.sessionId, onError]);

  async function cancel() {
    await api.abandonSession({ sessionId: plan.sessionId });
    onCancel();
  }

  const phase = update?.phase ?? 'positioning';
  const challenge = phase === 'challenge' ? (update?.currentChallenge ?? null) : null;
  const showTick = performance.now() < tickUntil;
  useSpeech(challenge ? t(challengeKey(challenge)) : null, language);

  return (
    <main className={`screen capture phase-${phase}`} aria-busy={finishing} data-phase={phase}>
      <h1 className="visually-hidden">{t('cameraHeading')}</h1>
      {phase === 'flash' && plan.flash && (
        <FlashOverlay
          plan={plan}
          clockOrigin={clockOrigin.current}
          onStarted={(timestampMs) => {
            void api.markFlashStart({ sessionId: plan.sessionId, timestampMs });
            // Exposure and white balance held for the flash where the camera allows; the pack records whether they were.
            void holdCameraForFlash(api, plan.sessionId, trackRef.current);
          }}
        />
      )}
      {phase === 'positioning' && plan.challenges.length > 0 && camera === 'live' && (
        <p className="intro">{t('challengeIntro', { n: plan.challenges.length })}</p>
      )}
      <div className="camera">
        <video ref={videoRef} className="preview" muted playsInline aria-label={t('cameraPreview')} />
        <svg className="oval-guide" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <defs>
            <mask id="oval-hole">
              <rect width="100" height="100" fill="white" />
              <ellipse cx="50" cy="48" rx="21" ry="34" fill="black" />
            </mask>
          </defs>
          <rect width="100" height="100" className="oval-dim" mask="url(#oval-hole)" />
          <ellipse cx="50" cy="48" rx="21" ry="34" className={`oval-line ${update && update.guidance.length === 0 ? 'ok' : ''}`} />
        </svg>
        {showTick && (
          <div className="tick" role="status" aria-label={t('stepDone')}>
            <TickIcon />
            <span>{t('stepDone')}</span>
          </div>
        )}
      </div>
      {phase === 'challenge' && challenge && update && (
        <ChallengePrompt
          t={t}
          challenge={challenge}
          index={update.challengeIndex}
          total={update.challengesTotal}
          progress={update.challengeProgress}
          secondsLeft={update.secondsLeft}
          wrongMovement={update.guidance.includes('wrong_movement')}
        />
      )}
      {phase === 'flash' && update && (
        <div className="flash-progress">
          <p className="flash-text">{t('flashing')}</p>
          <progress max={100} value={Math.round(update.challengeProgress * 100)} aria-label={t('flashProgress')} />
        </div>
      )}
      <section className="guidance-panel" aria-live="polite">
        {camera === 'starting' && <p className="guidance">{t('cameraStarting')}</p>}
        {camera === 'failed' && (
          <>
            <p className="guidance" role="alert">
              {t('cameraError')}
            </p>
            <IdleNotice t={t} secondsLeft={idle.secondsLeft} always />
          </>
        )}
        {camera === 'refused' && refusal && (
          <>
            <p className="guidance" role="alert" data-camera-refused={refusal}>
              {t(`cameraRefused_${refusal}`)}
            </p>
            <p className="guidance">{t('cameraStaffHint')}</p>
            <IdleNotice t={t} secondsLeft={idle.secondsLeft} always />
          </>
        )}
        {camera === 'live' && <Guidance t={t} update={update} finishing={finishing} fillLightSettling={fillLightSettling} />}
      </section>
      <ExitAction label={t('cancel')} onExit={() => void cancel()} bottom />
    </main>
  );
}

/** What to tell the person now: a challenge's own prompt carries wrong_movement, and hold_still is never shown there. */
function visibleGuidance(update: SessionUpdate, fillLightSettling: boolean): GuidanceCode[] {
  return update.guidance.filter(
    (code) =>
      code !== 'wrong_movement' && !(update.phase === 'challenge' && code === 'hold_still') && !(fillLightSettling && code === 'too_dark'),
  );
}

function Guidance({
  t,
  update,
  finishing,
  fillLightSettling,
}: {
  t: Translate;
  update: SessionUpdate | null;
  finishing: boolean;
  fillLightSettling: boolean;
}) {
  if (finishing) return <p className="guidance">{t('checking')}</p>;
  if (!update) return <p className="guidance">{t('positioning')}</p>;
  if (fillLightSettling && update.guidance.includes('too_dark')) {
    return (
      <p className="guidance" data-guidance="fill_light">
        {t('fillLight')}
      </p>
    );
  }
  const shown = visibleGuidance(update, fillLightSettling);
  const first = shown[0];
  // The flash phase says "keep looking" once, beside its progress bar; the challenge's own prompt speaks for itself.
  const status = update.phase === 'capturing' ? t('capturing') : update.phase === 'positioning' ? t('positioning') : null;
  return (
    <>
      {first ? (
        <p className="guidance warn" data-guidance={shown.join(' ')}>
          {t(guidanceKey(first))}
        </p>
      ) : (
        <p className="guidance ok" data-guidance="">
          {update.phase === 'challenge' || update.phase === 'flash' ? '' : (status ?? t('allGood'))}
        </p>
      )}
      {update.phase !== 'challenge' && update.secondsLeft > 0 && (
        <p className="countdown">{t('secondsLeft', { n: Math.ceil(update.secondsLeft) })}</p>
      )}
    </>
  );
}

interface PromptProps {
  t: Translate;
  challenge: Challenge;
  index: number;
  total: number;
  progress: number;
  secondsLeft: number;
  wrongMovement: boolean;
}

function ChallengePrompt({ t, challenge, index, total, progress, secondsLeft, wrongMovement }: PromptProps) {
  const text = t(challengeKey(challenge));
  return (
    <section className={`challenge ${wrongMovement ? 'wrong' : ''}`} aria-label={t('challengeOf', { i: index + 1, n: total })}>
      <ChallengeIcon challenge={challenge} />
      <p className="challenge-text" data-challenge={challenge} data-wrong-movement={wrongMovement ? 'true' : undefined}>
        {wrongMovement && <span className="wrong-movement">{t('guidance_wrong_movement')} </span>}
        {text}
      </p>
      <p className="challenge-step">{t('challengeOf', { i: index + 1, n: total })}</p>
      <progress className="challenge-progress" max={100} value={Math.round(progress * 100)} aria-label={text} />
      <ol className="challenge-dots" aria-hidden="true">
        {Array.from({ length: total }, (_, i) => (
          <li key={i} className={i < index ? 'done' : i === index ? 'current' : ''} />
        ))}
      </ol>
      <p className="countdown">{t('secondsLeft', { n: Math.ceil(secondsLeft) })}</p>
    </section>
  );
}

/**
 * Full-screen colour from the plan's sequence. The first colour goes up on the next paint and that moment is reported
 * to the decision core (same clock as the frames), so the reflections are matched to what the screen really showed.
 */
function FlashOverlay({ plan, clockOrigin, onStarted }: { plan: SessionPlan; clockOrigin: number; onStarted(timestampMs: number): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const started = useRef(onStarted);
  useEffect(() => {
    const sequence = plan.flash;
    if (!sequence) return;
    let anchor: number | null = null;
    let frame = 0;
    const paint = () => {
      const element = ref.current;
      if (element) {
        const now = performance.now() - clockOrigin;
        if (anchor === null) {
          anchor = now;
          started.current(anchor);
        }
        const step = flashStepAt(sequence, now - anchor);
        const rgb = step >= 0 && step < sequence.steps.length ? sequence.steps[step].rgb : FLASH_REST_RGB;
        element.style.backgroundColor = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
        element.dataset.step = String(step);
      }
      frame = requestAnimationFrame(paint);
    };
    frame = requestAnimationFrame(paint);
    return () => cancelAnimationFrame(frame);
  }, [plan.flash, clockOrigin]);
  // The coloured field sits behind the preview, the oval, the progress and Cancel (they stay visible on it).
  return <div ref={ref} className="flash-overlay" role="presentation" />;
}

/** Lock exposure and white balance for the flash where the camera allows it, and tell the kiosk what happened. */
async function holdCameraForFlash(api: KioskApi, sessionId: string, track: MediaStreamTrack | null): Promise<void> {
  const state = await lockForFlash(track);
  await api.reportCamera({ sessionId, ...state });
}

/** Reads each new challenge aloud when the platform can (kiosks may have no voices; that is fine). */
function useSpeech(text: string | null, language: Language) {
  useEffect(() => {
    if (!text || typeof speechSynthesis === 'undefined') return;
    try {
      speechSynthesis.cancel();
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = SPEECH_LANG[language];
      speechSynthesis.speak(utterance);
    } catch {
      // Speech is a help, not a requirement.
    }
  }, [text, language]);
}
