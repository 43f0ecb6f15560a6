/**
 * Reads ffmpeg's `-progress` output (key=value lines, a block per update ending in
 * `progress=continue` or `progress=end`) and reports the frames written at the end of each block.
 */
export function ffmpegProgress(onFrames: (frames: number) => void): (line: string) => void {
  let frames: number | null = null;
  return (line) => {
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'frame') {
      const n = Number(value);
      if (Number.isSafeInteger(n) && n >= 0) frames = n;
    } else if (key === 'progress' && frames !== null) {
      onFrames(frames);
    }
  };
}
