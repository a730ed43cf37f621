// Mask cues from the face mesh: a paper mask or print is flat, and the mesh, which infers depth from shading, reads
// less relief from it.
import type { Point3 } from '../../../shared/analysis';

/** Mesh indices: outer and inner eye corners of each eye, the cheek centres and the nose tip. */
const EYES: [number, number][] = [
  [33, 133],
  [263, 362],
];
const CHEEKS = [50, 280];
const NOSE_TIP = 1;

export const MASK_CUE_DOCS: Record<string, string> = {
  nose_relief:
    "Depth of the nose tip in front of the cheeks in the mesh's own z, over the distance between the eye centres: the mesh reads less relief from a flat picture or a paper mask.",
};

/** The mask cue group; needs the 468-point mesh (or the 478 with irises). */
export function computeMaskCues(mesh: readonly Point3[]): Record<string, number> {
  const centre = ([a, b]: [number, number]) => [(mesh[a][0] + mesh[b][0]) / 2, (mesh[a][1] + mesh[b][1]) / 2];
  const [l, r] = EYES.map(centre);
  const interEye = Math.max(1, Math.hypot(l[0] - r[0], l[1] - r[1]));
  const cheekZ = (mesh[CHEEKS[0]][2] + mesh[CHEEKS[1]][2]) / 2;
  // The mesh's z grows away from the camera, so the nose tip's is the smaller.
  return { nose_relief: (cheekZ - mesh[NOSE_TIP][2]) / interEye };
}
