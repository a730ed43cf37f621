// Staff panel: which camera the kiosk is pinned to, and re-pinning the chosen one (staff token required; the kiosk
// refuses to pin a virtual camera, or Chromium's fake device in production).
import { useEffect, useState } from 'react';
import type { CameraStatus } from '../../shared/camera-trust';
import type { KioskApi } from '../../shared/ipc-contract';
import type { Translate } from '../i18n';
import { identityOf } from './trusted-camera';

interface Props {
  t: Translate;
  api: KioskApi;
  token: string;
  /** The camera chosen in the settings form (null: the system default). */
  chosenDeviceId: string | null;
  onExpired(): void;
}

export function CameraPin({ t, api, token, chosenDeviceId, onExpired }: Props) {
  const [status, setStatus] = useState<CameraStatus | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  useEffect(() => {
    void api.cameraStatus().then((r) => r.ok && setStatus(r.value));
  }, [api]);

  const pin = async () => {
    setMessage(null);
    let media: MediaStream;
    try {
      const video: MediaTrackConstraints = chosenDeviceId ? { deviceId: { exact: chosenDeviceId } } : {};
      media = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch {
      setMessage({ text: t('cameraError'), error: true });
      return;
    }
    const track = media.getVideoTracks()[0];
    const identity = track ? identityOf(track) : null;
    media.getTracks().forEach((each) => each.stop());
    if (!identity) return setMessage({ text: t('cameraError'), error: true });
    const response = await api.pinCamera({ token, camera: identity });
    if (response.ok) {
      setStatus((previous) => ({
        production: previous?.production ?? true,
        pinned: { deviceId: response.value.deviceId, label: response.value.label, groupId: response.value.groupId },
      }));
      setMessage({ text: t('cameraPinDone', { label: response.value.label }), error: false });
    } else if (response.error.code === 'UNAUTHORIZED') onExpired();
    else setMessage({ text: t('cameraPinFailed', { code: response.error.code }), error: true });
  };

  return (
    <section className="staff-info camera-pin" aria-labelledby="camera-pin-heading">
      <h2 id="camera-pin-heading">{t('cameraPinHeading')}</h2>
      <p data-pinned-camera={status?.pinned?.label ?? ''}>
        {status?.pinned ? t('cameraPinCurrent', { label: status.pinned.label }) : t('cameraPinNone')}
      </p>
      {message && (
        <p className={message.error ? 'form-error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <button type="button" className="secondary" onClick={() => void pin()}>
        {t('cameraPinAction')}
      </button>
    </section>
  );
}
