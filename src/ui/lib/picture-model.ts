/** Plain functions the picture UI uses (no runes, so unit tests import them directly). */
import type { Picture, PictureList } from '../../api/contract.js';

/** The picture's URL for the video element: relative to the page, with the session token when the page has one. */
export function pictureMediaUrl(id: number, search: string): string {
  const token = new URLSearchParams(search).get('token');
  return `media/picture/${id}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/** The picture for a cue: the one it was spotted on, else the one holding `position`, else the newest. */
export function pictureFor(list: PictureList, cueId: number | null, position: number | null): Picture | null {
  const byId = new Map(list.pictures.map((p) => [p.id, p]));
  if (cueId !== null) {
    const assigned = list.cuePictures.find(([cue]) => cue === cueId);
    if (assigned && byId.has(assigned[1])) return byId.get(assigned[1])!;
  }
  if (position !== null) {
    const holding = [...list.pictures].reverse().find((p) => position >= p.start && position < p.end);
    if (holding) return holding;
  }
  return list.pictures.at(-1) ?? null;
}
