// Surface shading under room light plus the kiosk screen as a coloured point light: ambient + Lambert + Blinn.
import type { Vec3 } from './face-mesh';

export interface Lighting {
  /** Room light, a linear multiplier of the albedo per channel. */
  ambient: Vec3;
  /** Colour the kiosk screen shows now, 0-255 per channel. */
  screenRgb: Vec3;
  /** Irradiance of a full-white screen at `referenceDistance`, relative to the albedo. */
  screenGain: number;
  /** The screen's centre in camera space, metres (the light comes from the screen's direction). */
  screenPos: Vec3;
  /** Distance (m) at which `screenGain` applies; irradiance falls off with the inverse square beyond it. */
  referenceDistance: number;
}

export interface Material {
  diffuse: number;
  specular: number;
  shininess: number;
}

export const SKIN: Material = { diffuse: 1, specular: 0.16, shininess: 22 };
export const PAPER: Material = { diffuse: 1, specular: 0.015, shininess: 4 };
export const WALL: Material = { diffuse: 1, specular: 0, shininess: 1 };

/**
 * Linear RGB of a surface point: albedo (0-1) lit by the room and by the screen's light, which reaches it at
 * angle N·L with inverse-square falloff, plus a Blinn highlight of the screen's colour seen from the camera.
 */
export function shadePoint(
  albedo: Float32Array,
  px: number,
  py: number,
  pz: number,
  nx: number,
  ny: number,
  nz: number,
  light: Lighting,
  material: Material,
  out: Float32Array,
): void {
  let lx = light.screenPos[0] - px,
    ly = light.screenPos[1] - py,
    lz = light.screenPos[2] - pz;
  const distance = Math.hypot(lx, ly, lz) || 1;
  lx /= distance;
  ly /= distance;
  lz /= distance;
  const falloff = (light.referenceDistance / distance) ** 2;
  const nDotL = Math.max(0, nx * lx + ny * ly + nz * lz);
  let specular = 0;
  if (nDotL > 0 && material.specular > 0) {
    // The camera is at the origin: the view vector is -P.
    const vLen = Math.hypot(px, py, pz) || 1;
    let hx = lx - px / vLen,
      hy = ly - py / vLen,
      hz = lz - pz / vLen;
    const hLen = Math.hypot(hx, hy, hz) || 1;
    hx /= hLen;
    hy /= hLen;
    hz /= hLen;
    specular = material.specular * Math.max(0, nx * hx + ny * hy + nz * hz) ** material.shininess;
  }
  const irradiance = light.screenGain * falloff;
  for (let k = 0; k < 3; k++) {
    const screen = (light.screenRgb[k] / 255) * irradiance;
    out[k] = albedo[k] * (light.ambient[k] + material.diffuse * screen * nDotL) + screen * specular;
  }
}
