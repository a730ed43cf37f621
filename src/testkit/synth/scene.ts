// The synthetic capture scene: a lit wall, and in front of it a genuine face mesh, a flat photo or an emitting
// screen, seen by a 640x480 pinhole camera with sensor noise.
import type { RgbFrame } from '../../node/engine/api';
import { deform, deformUv, vertexNormals, type FaceMesh, type Vec3 } from './face-mesh';
import { PAPER, SKIN, shadePoint, type Lighting, type Material } from './lighting';
import { createCanvas, project, rasterize, sampleBilinear, type Camera, type Canvas } from './raster';
import { createRandom, type Random } from './random';

export interface SubjectTexture {
  /** The real photo the face comes from. */
  image: RgbFrame;
  mesh: FaceMesh;
}

/** Where the subject (or the attack instrument) is and what the face does. */
export interface SubjectPose {
  yawDeg: number;
  pitchDeg: number;
  rollDeg: number;
  /** Translation of the head pivot, metres (x right, y down, z away). */
  offset: Vec3;
  eyeClosure: number;
  smile: number;
}

export const NEUTRAL_POSE: SubjectPose = { yawDeg: 0, pitchDeg: 0, rollDeg: 0, offset: [0, 0, 0], eyeClosure: 0, smile: 0 };

export interface SceneOptions {
  width?: number;
  height?: number;
  /** Seed for the wall, the room light and the sensor noise. */
  seed: string | number;
  /** Camera to face distance, metres. */
  faceDistance?: number;
  /** Camera to wall distance, metres. */
  wallDistance?: number;
  /** Sensor noise, standard deviation in 0-255 units. */
  noiseSigma?: number;
}

/** Rotation matrix (row-major 3x3) for yaw about y (positive: nose toward image right), pitch about x (positive: up), roll about z. */
export function rotationMatrix(yawDeg: number, pitchDeg: number, rollDeg: number): number[] {
  const y = (yawDeg * Math.PI) / 180,
    p = (pitchDeg * Math.PI) / 180,
    r = (rollDeg * Math.PI) / 180;
  const cy = Math.cos(y),
    sy = Math.sin(y),
    cp = Math.cos(p),
    sp = Math.sin(p),
    cr = Math.cos(r),
    sr = Math.sin(r);
  // x' = x cos(yaw) - z sin(yaw): a point in front of the pivot (z < 0) moves to +x for positive yaw.
  const yaw = [cy, 0, -sy, 0, 1, 0, sy, 0, cy];
  // y' = y cos(pitch) + z sin(pitch): a point in front of the pivot moves up (-y) for positive pitch.
  const pitch = [1, 0, 0, 0, cp, sp, 0, -sp, cp];
  const roll = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  return multiply(roll, multiply(pitch, yaw));
}

function multiply(a: number[], b: number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return out;
}

function transform(m: number[], src: Float64Array, translate: Vec3 | null, out: Float64Array): Float64Array {
  for (let i = 0; i < src.length; i += 3) {
    const x = src[i],
      y = src[i + 1],
      z = src[i + 2];
    out[i] = m[0] * x + m[1] * y + m[2] * z + (translate ? translate[0] : 0);
    out[i + 1] = m[3] * x + m[4] * y + m[5] * z + (translate ? translate[1] : 0);
    out[i + 2] = m[6] * x + m[7] * y + m[8] * z + (translate ? translate[2] : 0);
  }
  return out;
}

/** Room light and screen brightness drawn once per scene, so seeds differ like kiosks in different branches. */
export interface RoomLight {
  ambient: Vec3;
  screenGain: number;
  screenPos: Vec3;
}

/** The barycentric blend of vertices a, b, c's `stride` components (a triangle's interpolated uv, normal or position). */
function interpolate(
  values: ArrayLike<number>,
  stride: number,
  a: number,
  b: number,
  c: number,
  w0: number,
  w1: number,
  w2: number,
): number[] {
  const out: number[] = [];
  for (let k = 0; k < stride; k++) out.push(w0 * values[a * stride + k] + w1 * values[b * stride + k] + w2 * values[c * stride + k]);
  return out;
}

function unit(v: number[]): number[] {
  const len = Math.hypot(...v) || 1;
  return v.map((x) => x / len);
}

/** A texel of `image` at (u, v), scaled to 0-1. */
function sampleTexel(image: RgbFrame, u: number, v: number, texel: Float32Array): void {
  sampleBilinear(image.data, image.width, image.height, u, v, texel);
  texel[0] /= 255;
  texel[1] /= 255;
  texel[2] /= 255;
}

export class SyntheticScene {
  readonly width: number;
  readonly height: number;
  readonly camera: Camera;
  readonly room: RoomLight;
  readonly faceDistance: number;
  private readonly wallDistance: number;
  private readonly noiseSigma: number;
  /** A table of standard-normal samples: drawing ~1M fresh normals per frame would dominate the render time. */
  private readonly noiseTable: Float32Array;
  private readonly noise: Random;
  private readonly wallAlbedo: Float32Array;
  /** Screen irradiance reaching each wall pixel (falloff and angle), per unit of screen colour. */
  private readonly wallResponse: Float32Array;

  constructor(options: SceneOptions) {
    this.width = options.width ?? 640;
    this.height = options.height ?? 480;
    // About a 60 degree horizontal field of view, like a webcam.
    this.camera = { focal: this.width * 0.9, cx: this.width / 2, cy: this.height / 2 };
    this.faceDistance = options.faceDistance ?? 0.5;
    this.wallDistance = options.wallDistance ?? 1.5;
    this.noiseSigma = options.noiseSigma ?? 2.2;
    const rng = createRandom(`scene:${options.seed}`);
    this.noise = createRandom(`noise:${options.seed}`);
    this.noiseTable = new Float32Array(1 << 16);
    for (let i = 0; i < this.noiseTable.length; i++) this.noiseTable[i] = this.noise.gaussian();
    const warmth = rng.range(-0.05, 0.05);
    const level = rng.range(0.5, 0.62);
    this.room = {
      ambient: [level * (1 + warmth), level, level * (1 - warmth)],
      screenGain: rng.range(0.42, 0.55),
      // The kiosk screen sits just below the camera.
      screenPos: [0, rng.range(0.06, 0.12), 0],
    };
    const base: Vec3 = [rng.range(0.55, 0.75), rng.range(0.52, 0.7), rng.range(0.45, 0.65)];
    const phase = rng.range(0, Math.PI * 2);
    const shelfRow = Math.round(rng.range(0.12, 0.3) * this.height);
    this.wallAlbedo = new Float32Array(this.width * this.height * 3);
    this.wallResponse = new Float32Array(this.width * this.height);
    const light: Lighting = {
      ambient: [0, 0, 0],
      screenRgb: [255, 255, 255],
      screenGain: 1,
      screenPos: this.room.screenPos,
      referenceDistance: this.faceDistance,
    };
    const albedo = new Float32Array([1, 1, 1]);
    const colour = new Float32Array(3);
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const p = y * this.width + x;
        // Soft blotches and a darker shelf edge give the wall some texture without looking like a face.
        const shade = 1 + 0.06 * Math.sin(x / 53 + phase) * Math.cos(y / 41 - phase) + (Math.abs(y - shelfRow) < 6 ? -0.25 : 0);
        for (let k = 0; k < 3; k++) this.wallAlbedo[p * 3 + k] = base[k] * shade;
        const wx = ((x + 0.5 - this.camera.cx) / this.camera.focal) * this.wallDistance;
        const wy = ((y + 0.5 - this.camera.cy) / this.camera.focal) * this.wallDistance;
        shadePoint(albedo, wx, wy, this.wallDistance, 0, 0, -1, light, { diffuse: 1, specular: 0, shininess: 1 }, colour);
        this.wallResponse[p] = colour[0];
      }
    }
  }

  /** Lighting for the current screen colour. */
  lighting(screenRgb: Vec3): Lighting {
    return {
      ambient: this.room.ambient,
      screenRgb,
      screenGain: this.room.screenGain,
      screenPos: this.room.screenPos,
      referenceDistance: this.faceDistance,
    };
  }

  /** A canvas holding the lit wall. */
  wall(screenRgb: Vec3): Canvas {
    const canvas = createCanvas(this.width, this.height);
    const ambient = this.room.ambient;
    for (let p = 0; p < this.width * this.height; p++) {
      for (let k = 0; k < 3; k++) {
        canvas.rgb[p * 3 + k] =
          this.wallAlbedo[p * 3 + k] * (ambient[k] + (screenRgb[k] / 255) * this.room.screenGain * this.wallResponse[p]);
      }
    }
    canvas.invDepth.fill(1 / this.wallDistance);
    return canvas;
  }

  /** The textured face mesh at a pose, with its expression, lit by the screen colour. */
  drawFace(canvas: Canvas, subject: SubjectTexture, pose: SubjectPose, screenRgb: Vec3, ambientOnly = false): void {
    const { mesh, image } = subject;
    const expression = { eyeClosure: pose.eyeClosure, smile: pose.smile };
    const local = deform(mesh, expression);
    const uvs = deformUv(mesh, expression);
    const localNormals = vertexNormals(local, mesh.triangles);
    const rotation = rotationMatrix(pose.yawDeg, pose.pitchDeg, pose.rollDeg);
    const pivot: Vec3 = [pose.offset[0], pose.offset[1], this.faceDistance + 0.08 + pose.offset[2]];
    const world = transform(rotation, local, pivot, new Float64Array(local.length));
    const normals = transform(rotation, localNormals, null, new Float64Array(local.length));
    const screen = project(this.camera, world);
    const light = this.lighting(ambientOnly ? [0, 0, 0] : screenRgb);
    const texel = new Float32Array(3);
    rasterize(canvas, screen, mesh.triangles, (a, b, c, w0, w1, w2, out) => {
      const [u, v] = interpolate(uvs, 2, a, b, c, w0, w1, w2);
      sampleTexel(image, u, v, texel);
      const [nx, ny, nz] = unit(interpolate(normals, 3, a, b, c, w0, w1, w2));
      const [px, py, pz] = interpolate(world, 3, a, b, c, w0, w1, w2);
      shadePoint(texel, px, py, pz, nx, ny, nz, light, SKIN, out);
    });
  }

  /**
   * A flat textured quad (a printed photo or a phone/tablet screen) of `sizeM` metres showing `texture`'s
   * rectangle `crop` [x, y, w, h], moved rigidly by `pose` (its expression fields are ignored).
   * `surface` decides each pixel's colour from its texel and the light falling on the flat surface.
   */
  drawPlane(
    canvas: Canvas,
    texture: RgbFrame,
    crop: [number, number, number, number],
    sizeM: [number, number],
    pose: SubjectPose,
    distance: number,
    surface: (texel: Float32Array, u: number, v: number, irradianceRgb: Float32Array, out: Float32Array) => void,
    screenRgb: Vec3,
  ): void {
    const grid = 8;
    const local = new Float64Array((grid + 1) * (grid + 1) * 3);
    const uv = new Float64Array((grid + 1) * (grid + 1) * 2);
    for (let j = 0; j <= grid; j++) {
      for (let i = 0; i <= grid; i++) {
        const k = j * (grid + 1) + i;
        local[k * 3] = (i / grid - 0.5) * sizeM[0];
        local[k * 3 + 1] = (j / grid - 0.5) * sizeM[1];
        local[k * 3 + 2] = 0;
        uv[k * 2] = crop[0] + (i / grid) * crop[2];
        uv[k * 2 + 1] = crop[1] + (j / grid) * crop[3];
      }
    }
    const triangles: number[] = [];
    for (let j = 0; j < grid; j++) {
      for (let i = 0; i < grid; i++) {
        const k = j * (grid + 1) + i;
        triangles.push(k, k + 1, k + grid + 1, k + 1, k + grid + 2, k + grid + 1);
      }
    }
    const rotation = rotationMatrix(pose.yawDeg, pose.pitchDeg, pose.rollDeg);
    const world = transform(rotation, local, [pose.offset[0], pose.offset[1], distance + pose.offset[2]], new Float64Array(local.length));
    const normal = transform(rotation, new Float64Array([0, 0, -1]), null, new Float64Array(3));
    const screen = project(this.camera, world);
    const light = this.lighting(screenRgb);
    const texel = new Float32Array(3);
    const irradiance = new Float32Array(3);
    const white = new Float32Array([1, 1, 1]);
    rasterize(canvas, screen, Uint32Array.from(triangles), (a, b, c, w0, w1, w2, out) => {
      const [u, v] = interpolate(uv, 2, a, b, c, w0, w1, w2);
      sampleTexel(texture, u, v, texel);
      const [px, py, pz] = interpolate(world, 3, a, b, c, w0, w1, w2);
      // What a white flat surface at this point would reflect: the light it receives, for the surface model.
      shadePoint(white, px, py, pz, normal[0], normal[1], normal[2], light, PAPER_MATTE, irradiance);
      surface(texel, u, v, irradiance, out);
    });
  }

  /** Quantise to 8-bit RGB with Gaussian sensor noise. */
  capture(canvas: Canvas): RgbFrame {
    const data = new Uint8Array(this.width * this.height * 3);
    const table = this.noiseTable;
    const mask = table.length - 1;
    // A fresh random offset for every row and an odd stride: the table's pattern never lines up across rows or frames.
    const stride = 2 * Math.floor(this.noise.next() * 5000) + 7919;
    const rowLength = this.width * 3;
    let k = 0;
    for (let i = 0; i < data.length; i++) {
      if (i % rowLength === 0) k = Math.floor(this.noise.next() * table.length);
      k = (k + stride) & mask;
      const value = canvas.rgb[i] * 255 + this.noiseSigma * table[k];
      data[i] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
    }
    return { data, width: this.width, height: this.height };
  }
}

const PAPER_MATTE: Material = { diffuse: 1, specular: 0, shininess: 1 };
export { PAPER };
