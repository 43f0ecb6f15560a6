/**
 * The media route both hosts serve (`media/picture/ID`, relative to the UI's page), so the UI plays a
 * picture by the same URL in Electron and in a browser. Only files the engine names are served.
 */
import type { Engine } from '../engine/session/engine.js';

const PICTURE_ROUTE = /^\/media\/picture\/(\d{1,9})$/;

/** The file behind a media path, or null when the path is not a media route or names nothing. */
export async function mediaFileFor(engine: Engine, pathname: string): Promise<string | null> {
  const match = PICTURE_ROUTE.exec(pathname);
  if (!match || !engine.project) return null;
  return engine.pictures.mediaFile(Number(match[1]));
}

export function isMediaPath(pathname: string): boolean {
  return pathname.startsWith('/media/');
}
