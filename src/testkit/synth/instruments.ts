// What stands in front of the kiosk camera: a live (synthetic) face, a printed photo, or a screen that emits an image.
import type { RgbFrame } from '../../node/engine/api';
import type { Vec3 } from './face-mesh';
import { PAPER } from './lighting';
import type { Canvas } from './raster';
import type { SubjectPose, SubjectTexture, SyntheticScene } from './scene';

/** The genuine subject: the 3D face mesh lit by the screen colour. */
export function renderGenuine(scene: SyntheticScene, subject: SubjectTexture, pose: SubjectPose, screenRgb: Vec3): RgbFrame {
  const canvas = scene.wall(screenRgb);
  scene.drawFace(canvas, subject, pose, screenRgb);
  return scene.capture(canvas);
}

/** The face's rectangle in the source photo, grown by `grow` around its centre and clamped to the image. */
export function faceCrop(subject: SubjectTexture, grow: number): [number, number, number, number] {
  const { uv, landmarkCount } = subject.mesh;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (let i = 0; i < landmarkCount; i++) {
    minX = Math.min(minX, uv[i * 2]);
    maxX = Math.max(maxX, uv[i * 2]);
    minY = Math.min(minY, uv[i * 2 + 1]);
    maxY = Math.max(maxY, uv[i * 2 + 1]);
  }
  const cx = (minX + maxX) / 2,
    cy = (minY + maxY) / 2;
  const half = (Math.max(maxX - minX, maxY - minY) * grow) / 2;
  const x0 = Math.max(0, cx - half * 0.8),
    y0 = Math.max(0, cy - half);
  const x1 = Math.min(subject.image.width, cx + half * 0.8),
    y1 = Math.min(subject.image.height, cy + half);
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * (a) The same photo printed life-size and held flat in front of the camera, moved and tilted rigidly. It is lit
 * by the same screen colour, but every point of a plane faces the screen the same way: a uniform response.
 */
export function renderPlanarPhoto(scene: SyntheticScene, subject: SubjectTexture, pose: SubjectPose, screenRgb: Vec3): RgbFrame {
  const canvas = scene.wall(screenRgb);
  const crop = faceCrop(subject, 2.0);
  const size: [number, number] = [crop[2] * subject.mesh.scale, crop[3] * subject.mesh.scale];
  const paperWhite = 0.92;
  scene.drawPlane(
    canvas,
    subject.image,
    crop,
    size,
    pose,
    scene.faceDistance,
    (texel, _u, _v, irradiance, out) => {
      for (let k = 0; k < 3; k++) out[k] = texel[k] * paperWhite * irradiance[k] + PAPER.specular * irradiance[k];
    },
    screenRgb,
  );
  return scene.capture(canvas);
}

export interface EmittingScreenStyle {
  /** The display's own white point, a multiplier per channel. */
  colourCast: Vec3;
  /** Peak emitted level relative to a white sheet under the room light. */
  brightness: number;
  /** Fraction of the light falling on the glass that it reflects (the only part that follows the flash). */
  glassReflectance: number;
  /** Depth of the display's pixel-grid pattern (0 for none); beats with the camera's grid as moiré. */
  gridDepth: number;
  /** Display pixels across the screen's width. */
  gridPixels: number;
}

export const DEFAULT_SCREEN_STYLE: EmittingScreenStyle = {
  colourCast: [0.9, 0.97, 1.12],
  brightness: 0.85,
  glassReflectance: 0.05,
  gridDepth: 0.12,
  gridPixels: 1170,
};

/** Render a noise-free frame of the genuine subject, as the content an attacker's screen shows. */
export function renderContent(scene: SyntheticScene, subject: SubjectTexture, pose: SubjectPose, recordedLightRgb: Vec3): RgbFrame {
  const canvas: Canvas = scene.wall(recordedLightRgb);
  scene.drawFace(canvas, subject, pose, recordedLightRgb);
  const data = new Uint8Array(canvas.width * canvas.height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(canvas.rgb[i] * 255)));
  return { data, width: canvas.width, height: canvas.height };
}

/**
 * (c) A tablet held in front of the camera showing `content`: it emits its own light with its own colour cast
 * and a pixel grid; of the kiosk's flash only the glass's weak, uniform reflection reaches the camera.
 */
export function renderEmittingScreen(
  scene: SyntheticScene,
  content: RgbFrame,
  pose: SubjectPose,
  screenRgb: Vec3,
  style: EmittingScreenStyle = DEFAULT_SCREEN_STYLE,
): RgbFrame {
  const canvas = scene.wall(screenRgb);
  const crop: [number, number, number, number] = [content.width / 6, content.height / 6, (content.width * 2) / 3, (content.height * 2) / 3];
  const widthM = 0.26;
  const size: [number, number] = [widthM, (widthM * crop[3]) / crop[2]];
  const pitch = crop[2] / style.gridPixels;
  scene.drawPlane(
    canvas,
    content,
    crop,
    size,
    pose,
    0.42,
    (texel, u, v, irradiance, out) => {
      const gu = (u - crop[0]) / pitch,
        gv = (v - crop[1]) / pitch;
      const grid = 1 - style.gridDepth * (0.5 + 0.5 * Math.cos(2 * Math.PI * gu)) * (0.5 + 0.5 * Math.cos(2 * Math.PI * gv));
      for (let k = 0; k < 3; k++)
        out[k] = texel[k] * style.brightness * style.colourCast[k] * grid + style.glassReflectance * irradiance[k];
    },
    screenRgb,
  );
  return scene.capture(canvas);
}
