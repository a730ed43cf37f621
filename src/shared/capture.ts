// Pilot capture vocabulary shared by the kiosk screens, the IPC contract and the capture-pack code. PURE.

/** What the staff member says was in front of the camera during a pilot capture. */
export const CAPTURE_LABELS = ['genuine', 'print', 'screen_replay', 'mask', 'other'] as const;
export type CaptureLabel = (typeof CAPTURE_LABELS)[number];

/** A pseudonymous subject code (never a name): pools a person's attempts without saying who they are. */
export const SUBJECT_REF_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether the camera could hold exposure and white balance still for the flash (MediaStreamTrack constraints). */
export interface CameraLockState {
  exposureSupported: boolean;
  exposureLocked: boolean;
  whiteBalanceSupported: boolean;
  whiteBalanceLocked: boolean;
}
