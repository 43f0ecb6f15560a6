/** Saves an exported file through the browser: a Blob URL and a download link with the engine's file name. */
import { base64ToBytes } from './cue-model.js';

export interface DownloadableFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly base64: string;
}

/** How long the Blob URL lives: long enough for the browser (or Electron's save dialog) to read it. */
const REVOKE_AFTER_MS = 60_000;

export function downloadFile(file: DownloadableFile): void {
  downloadBlob(file.fileName, new Blob([base64ToBytes(file.base64)], { type: file.mimeType }));
}

/** Saves text made in the page (a sync log as CSV or JSON). */
export function downloadText(fileName: string, mimeType: string, text: string): void {
  downloadBlob(fileName, new Blob([text], { type: mimeType }));
}

function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
