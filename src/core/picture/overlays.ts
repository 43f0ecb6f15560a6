/**
 * What is drawn over the picture for a cue — streamer, punch, flutters, countdown, cue text and a
 * burn-in — as plain shapes in frame-relative coordinates (x and y from 0 to 1 across the frame;
 * sizes as a fraction of the frame's height). A renderer (the UI's canvas) only scales and draws
 * them, so every rule of where things are is here and tested without a browser.
 *
 * Everything is timed in whole timeline frames of the clock (not of the decoded picture), so a
 * streamer lands on the in frame even when the decoder is late, and steps once per frame as a
 * scribed film streamer does:
 * - the streamer's leading edge runs from the start of the frame (or both edges) at in − length to
 *   the end (or the centre) at the in frame, which it reaches exactly;
 * - the punch shows on the in frame (and `punch.frames − 1` more);
 * - flutter k (1…count) flashes on frame in − 2k.
 */
import { framesToFeetFrames } from '../time/feet-frames.js';
import { framesToLabel } from '../time/timecode.js';
import type { FrameRate } from '../time/frame-rate.js';

export const STREAMER_LENGTHS = [1, 2, 2.67, 3, 3.33, 5] as const;
export const PUNCH_HOLES = [1, 3, 5, 7] as const;

export interface StreamerStyle {
  readonly enabled: boolean;
  /** Seconds from its start to the in point (1, 2, 2.67, 3, 3.33, 5 or any other). */
  readonly seconds: number;
  readonly direction: 'left-to-right' | 'edges-to-centre';
  readonly colour: string;
  /** Width of the bar as a fraction of the frame's width. */
  readonly width: number;
  readonly opacity: number;
  /** A vertical bar at the end (or centre) the streamer runs to. */
  readonly endBar: boolean;
}

export interface PunchStyle {
  readonly enabled: boolean;
  readonly holes: (typeof PUNCH_HOLES)[number];
  /** Diameter of a hole as a fraction of the frame's height. */
  readonly size: number;
  readonly colour: string;
  /** Frames it shows for, from the in frame. */
  readonly frames: number;
}

export interface OverlayStyle {
  readonly streamer: StreamerStyle;
  readonly punch: PunchStyle;
  /** Flashes before the in point (0 for none), on every other frame. */
  readonly flutters: number;
  /** Whole seconds to the in point, shown in the last `countdown` seconds (0 for none). */
  readonly countdown: number;
  /** Cue number, character and line (ADR) or description (Foley), from the streamer's start to the out point. */
  readonly cueText: boolean;
  /** Text height as a fraction of the frame's height. */
  readonly textSize: number;
  readonly burnIn: 'off' | 'timecode' | 'feet-frames';
}

/** A partial style: what a cue or a screen changes from the project's defaults. */
export interface OverlayOverride {
  readonly streamer?: Partial<StreamerStyle>;
  readonly punch?: Partial<PunchStyle>;
  readonly flutters?: number;
  readonly countdown?: number;
  readonly cueText?: boolean;
  readonly textSize?: number;
  readonly burnIn?: OverlayStyle['burnIn'];
}

export const DEFAULT_OVERLAY: OverlayStyle = {
  streamer: { enabled: true, seconds: 3, direction: 'left-to-right', colour: '#ffffff', width: 0.02, opacity: 0.85, endBar: true },
  punch: { enabled: true, holes: 1, size: 0.12, colour: '#ffffff', frames: 2 },
  flutters: 0,
  countdown: 3,
  cueText: true,
  textSize: 0.045,
  burnIn: 'timecode',
};

/** The talent's screen: bigger text, no burn-in, by default. */
export const DEFAULT_TALENT_OVERRIDE: OverlayOverride = { textSize: 0.07, burnIn: 'off' };

export function applyOverride(style: OverlayStyle, override: OverlayOverride | undefined | null): OverlayStyle {
  if (!override) return style;
  return {
    streamer: { ...style.streamer, ...override.streamer },
    punch: { ...style.punch, ...override.punch },
    flutters: override.flutters ?? style.flutters,
    countdown: override.countdown ?? style.countdown,
    cueText: override.cueText ?? style.cueText,
    textSize: override.textSize ?? style.textSize,
    burnIn: override.burnIn ?? style.burnIn,
  };
}

export interface OverlayCue {
  readonly number: string;
  readonly kind: 'adr' | 'foley';
  /** Timeline frames (since midnight) of the in point and the first frame after the out point. */
  readonly inFrame: number;
  readonly outFrame: number;
  readonly character: string | null;
  /** The line (ADR) or the event's description (Foley). */
  readonly text: string;
}

export type Shape =
  | { readonly kind: 'rect'; readonly x: number; readonly y: number; readonly w: number; readonly h: number; readonly colour: string; readonly opacity: number }
  | { readonly kind: 'circle'; readonly cx: number; readonly cy: number; readonly r: number; readonly colour: string; readonly opacity: number }
  | {
      readonly kind: 'text';
      readonly x: number;
      readonly y: number;
      readonly size: number;
      readonly text: string;
      readonly colour: string;
      readonly align: 'left' | 'center' | 'right';
      readonly bold: boolean;
    };

/** Streamer length in whole frames (at least one). */
export function streamerFrames(seconds: number, rate: FrameRate): number {
  return Math.max(1, Math.round((seconds * rate.num) / rate.den));
}

/**
 * The shapes for timeline frame `frame`, for `cue` (or none: only the burn-in). Feet+frames count
 * from `reelStartFrame` (the picture's first frame), as they do on a reel.
 */
export function overlayShapes(frame: number, cue: OverlayCue | null, style: OverlayStyle, rate: FrameRate, reelStartFrame = 0): Shape[] {
  const shapes: Shape[] = [];
  if (cue) {
    const length = streamerFrames(style.streamer.seconds, rate);
    const start = cue.inFrame - length;
    const { streamer, punch } = style;
    if (streamer.enabled && frame >= start && frame <= cue.inFrame) {
      const progress = (frame - start) / length;
      const bar = (lead: number, fromLeft: boolean): Shape => {
        const x = fromLeft ? Math.max(0, lead - streamer.width) : lead;
        const w = fromLeft ? lead - x : Math.min(streamer.width, 1 - lead);
        return { kind: 'rect', x, y: 0, w, h: 1, colour: streamer.colour, opacity: streamer.opacity };
      };
      if (streamer.direction === 'left-to-right') {
        if (progress > 0) shapes.push(bar(progress, true));
        if (streamer.endBar) shapes.push({ kind: 'rect', x: 1 - streamer.width / 2, y: 0, w: streamer.width / 2, h: 1, colour: streamer.colour, opacity: streamer.opacity });
      } else {
        if (progress > 0) shapes.push(bar(progress / 2, true), bar(1 - progress / 2, false));
        if (streamer.endBar) shapes.push({ kind: 'rect', x: 0.5 - streamer.width / 4, y: 0, w: streamer.width / 2, h: 1, colour: streamer.colour, opacity: streamer.opacity });
      }
    }
    for (let k = 1; k <= style.flutters; k++) {
      if (frame === cue.inFrame - 2 * k) shapes.push({ kind: 'rect', x: 0, y: 0, w: 1, h: 1, colour: streamer.colour, opacity: 0.5 });
    }
    if (punch.enabled && frame >= cue.inFrame && frame < cue.inFrame + punch.frames) {
      const r = punch.size / 2;
      const spacing = punch.size * 1.5 * (9 / 16); // in widths, for a 16:9 frame
      for (let i = 0; i < punch.holes; i++) {
        shapes.push({ kind: 'circle', cx: 0.5 + (i - (punch.holes - 1) / 2) * spacing, cy: 0.5, r, colour: punch.colour, opacity: 1 });
      }
    }
    const perSecond = rate.num / rate.den;
    const remaining = Math.ceil((cue.inFrame - frame) / perSecond);
    if (style.countdown > 0 && frame < cue.inFrame && remaining <= style.countdown) {
      shapes.push({ kind: 'text', x: 0.5, y: 0.3, size: style.textSize * 3, text: String(remaining), colour: '#ffffff', align: 'center', bold: true });
    }
    if (style.cueText && frame >= start && frame < cue.outFrame) {
      const who = cue.character ? `${cue.character}  ` : '';
      shapes.push({ kind: 'text', x: 0.03, y: 0.08, size: style.textSize, text: `${cue.number}  ${who}`.trim(), colour: '#ffd54a', align: 'left', bold: true });
      if (cue.text) shapes.push({ kind: 'text', x: 0.5, y: 0.9, size: style.textSize, text: cue.text, colour: '#ffffff', align: 'center', bold: cue.kind === 'adr' });
    }
  }
  if (style.burnIn !== 'off') {
    const label = style.burnIn === 'timecode' ? framesToLabel(frame, rate) : framesToFeetFrames(Math.max(0, frame - reelStartFrame));
    shapes.push({ kind: 'text', x: 0.97, y: 0.08, size: style.textSize * 0.8, text: label, colour: '#ffffff', align: 'right', bold: false });
  }
  return shapes;
}
