// The kiosk session's permission handlers: only the camera (video, no microphone), only for our own origin.
import type { Session } from 'electron';
import { originOf } from '../node/host/app-protocol';

type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

export function installPermissionHandlers(kioskSession: PermissionSession, origin: string): void {
  const fromUs = (url: string | undefined) => originOf(url) === origin;
  kioskSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = (details as { mediaTypes?: string[] }).mediaTypes;
    const videoOnly =
      permission === 'media' && Array.isArray(mediaTypes) && mediaTypes.length > 0 && mediaTypes.every((type) => type === 'video');
    callback(videoOnly && fromUs(details.requestingUrl));
  });
  kioskSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permission === 'media' && fromUs(requestingOrigin));
}
