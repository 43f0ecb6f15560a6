import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ffmpegProgress } from '../../src/adapters/picture/ffmpeg-progress.js';
import { chase, indexToSeekTime, mediaTimeToIndex, positionToFrameTime, SEEK_FRAMES, TARGET_PHASE, type PictureTiming } from '../../src/core/picture/picture-chase.js';
import {
  pictureFrameCount,
  pictureFrameRate,
  pictureStart,
  proxyKeyframeInterval,
  proxyReasons,
  type VideoFacts,
} from '../../src/core/picture/picture-format.js';
import { applyOverride, DEFAULT_OVERLAY, overlayShapes, streamerFrames, type OverlayCue, type Shape } from '../../src/core/picture/overlays.js';
import { LOCK_RUN, syncLogStats, type SyncEntry } from '../../src/core/picture/sync-log.js';
import { frameToPosition, labelToFrames, labelToPosition, parseFrameRate } from '../../src/core/time/index.js';
import type { Picture } from '../../src/api/contract.js';
import { pictureFor, pictureMediaUrl } from '../../src/ui/lib/picture-model.js';

const h264: VideoFacts = {
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  codec: 'h264',
  profile: 'High',
  pixelFormat: 'yuv420p',
  width: 1920,
  height: 1080,
  fieldOrder: 'progressive',
  frameRate: '24000/1001',
  averageFrameRate: '24000/1001',
  frames: 2400,
  durationSeconds: 100.1,
  timecode: '01:00:00:00',
  timecodeSource: 'timecode-track',
  longestKeyframeGapSeconds: 0.5,
  audio: { sampleRate: 48000, channels: 2 },
};
const r23 = parseFrameRate('23.976');

describe('picture format', () => {
  it('accepts the project rate, by nominal or average rate, and names a mismatch', () => {
    expect(pictureFrameRate(h264, r23, 'a.mov')).toBe(r23);
    expect(pictureFrameRate({ ...h264, frameRate: '48000/1001' }, r23, 'a.mov')).toBe(r23); // field-rate nominal, average is the film rate
    expect(() => pictureFrameRate({ ...h264, frameRate: '25/1', averageFrameRate: '25/1' }, r23, 'a.mov')).toThrow(/runs at 25 fps and the project at 23.976/);
    expect(() => pictureFrameRate({ ...h264, frameRate: '24/1', averageFrameRate: '24/1' }, r23, 'a.mov')).toThrow(expect.objectContaining({ code: 'PICTURE_RATE_MISMATCH' }));
    expect(() => pictureFrameRate({ ...h264, frameRate: '0/0', averageFrameRate: null }, r23, 'a.mov')).toThrow(expect.objectContaining({ code: 'PICTURE_RATE_UNKNOWN' }));
  });

  it('counts frames from the container, else from the duration', () => {
    expect(pictureFrameCount(h264, r23, 'a')).toBe(2400);
    expect(pictureFrameCount({ ...h264, frames: null }, r23, 'a')).toBe(2400);
    expect(() => pictureFrameCount({ ...h264, frames: null, durationSeconds: null }, r23, 'a')).toThrow(expect.objectContaining({ code: 'PICTURE_EMPTY' }));
  });

  it('places the picture at typed, then file timecode, then the project start', () => {
    const df = parseFrameRate('29.97df');
    const start = labelToPosition('00:59:00;02', df, 48000);
    const facts = { ...h264, frameRate: '30000/1001', averageFrameRate: '30000/1001', timecode: '00:59:50;00' };
    expect(pictureStart(facts, df, 48000, start)).toMatchObject({ frame: labelToFrames('00:59:50;00', df), source: 'timecode-track', note: null });
    // A drop-frame project reads a timecode written with ':' as drop-frame.
    expect(pictureStart({ ...facts, timecode: '00:59:50:00' }, df, 48000, start).frame).toBe(labelToFrames('00:59:50;00', df));
    expect(pictureStart(facts, df, 48000, start, '01:00:00;00')).toMatchObject({ frame: labelToFrames('01:00:00;00', df), source: 'typed' });
    const none = pictureStart({ ...facts, timecode: null, timecodeSource: null }, df, 48000, start);
    expect(none).toMatchObject({ start, source: 'project-start' });
    expect(none.note).toMatch(/no timecode/);
    expect(pictureStart({ ...facts, timecode: 'garbage' }, df, 48000, start)).toMatchObject({ source: 'project-start', note: expect.stringMatching(/could not be read/) });
  });

  it('asks for a proxy for each thing Chromium cannot play frame-accurately, and for nothing else', () => {
    expect(proxyReasons(h264)).toEqual([]);
    expect(proxyReasons({ ...h264, container: 'matroska,webm', codec: 'vp9' })).toEqual([]);
    expect(proxyReasons({ ...h264, codec: 'prores', pixelFormat: 'yuv422p10le' })).toEqual(['codec', 'pixel-format']);
    expect(proxyReasons({ ...h264, codec: 'dnxhd', container: 'mxf', pixelFormat: 'yuv422p' })).toEqual(['codec', 'pixel-format']);
    expect(proxyReasons({ ...h264, container: 'matroska,webm' })).toEqual(['container']);
    expect(proxyReasons({ ...h264, fieldOrder: 'tt' })).toEqual(['interlaced']);
    expect(proxyReasons({ ...h264, frameRate: '90000/1', averageFrameRate: '24000/1001' })).toEqual(['variable-frame-rate']);
    expect(proxyReasons({ ...h264, longestKeyframeGapSeconds: 4 })).toEqual(['long-gop']);
    expect(proxyReasons({ ...h264, width: 3840, height: 2160 })).toEqual(['size']);
    expect(proxyKeyframeInterval(r23)).toBe(12);
    expect(proxyKeyframeInterval(parseFrameRate('25'))).toBe(13);
  });
});

describe('picture chase', () => {
  const timing: PictureTiming = { num: 24000, den: 1001, startFrame: 86_313, frames: 1000 };
  const base = { rolling: true, playbackRate: 1, seeking: false, seekLatencyMs: 80 };

  it('seeks to the middle of a frame and reads the presented frame back exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), (n) => {
        // Presentation timestamps are n·den/num; a seek to the frame's middle must name the same frame.
        expect(mediaTimeToIndex((n * 1001) / 24000, timing)).toBe(n);
        expect(mediaTimeToIndex(indexToSeekTime(n, timing) - 0.5 * (1001 / 24000), timing)).toBe(n);
      }),
    );
  });

  it('reads a frame\'s first sample as that frame, even where its boundary was rounded down', () => {
    for (const id of ['23.976', '25', '29.97df', '59.94ndf'] as const) {
      const rate = parseFrameRate(id);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2_000_000 }), fc.constantFrom(44100, 48000, 96000), (frame, sampleRate) => {
          const first = frameToPosition(frame, rate, sampleRate);
          expect(Math.floor(positionToFrameTime(first, sampleRate, rate))).toBe(frame);
          expect(Math.floor(positionToFrameTime(frameToPosition(frame + 1, rate, sampleRate) - 1, sampleRate, rate))).toBe(frame);
        }),
      );
    }
    // The case that showed it: 29.97 DF frame 107724 starts at 172,530,758, just before the exact boundary.
    expect(Math.floor(positionToFrameTime(172_530_758, 48000, parseFrameRate('29.97df')))).toBe(107_724);
  });

  it('trims small errors with the rate, in the right direction, and leaves a good lock alone', () => {
    const at = (shownIndex: number, wantedFrameTime: number) => chase({ ...base, mediaTime: (shownIndex * 1001) / 24000, wantedFrameTime }, timing);
    const ahead = at(100, timing.startFrame + 98.5);
    expect(ahead.action).toMatchObject({ kind: 'rate' });
    expect((ahead.action as { rate: number }).rate).toBeLessThan(1);
    const behind = at(100, timing.startFrame + 101.5);
    expect((behind.action as { rate: number }).rate).toBeGreaterThan(1);
    expect(at(100, timing.startFrame + 100 + TARGET_PHASE).action).toEqual({ kind: 'none' });
    expect(at(100, timing.startFrame + 100 + TARGET_PHASE)).toMatchObject({ shown: timing.startFrame + 100, wanted: timing.startFrame + 100 });
  });

  it('seeks ahead by the seek latency when far off, and parks when stopped', () => {
    const far = chase({ ...base, mediaTime: 0, wantedFrameTime: timing.startFrame + 500 }, timing);
    expect(far.action.kind).toBe('seek');
    const aimed = mediaTimeToIndex((far.action as { time: number }).time, timing);
    expect(aimed).toBeGreaterThan(500);
    expect(aimed).toBeLessThanOrEqual(500 + Math.ceil(0.08 * 24) + 1);
    expect(chase({ ...base, mediaTime: 0, wantedFrameTime: timing.startFrame + SEEK_FRAMES }, timing).action.kind).toBe('rate');
    const parked = chase({ ...base, rolling: false, mediaTime: 0, wantedFrameTime: timing.startFrame + 42.7 }, timing);
    expect(parked.action).toEqual({ kind: 'park', time: indexToSeekTime(42, timing) });
    expect(chase({ ...base, rolling: false, mediaTime: (42 * 1001) / 24000, wantedFrameTime: timing.startFrame + 42.2 }, timing).action).toEqual({ kind: 'none' });
    // Before the picture: park on its first frame; while a seek is under way, wait for it.
    expect(chase({ ...base, rolling: false, mediaTime: 1, wantedFrameTime: 10 }, timing).action).toEqual({ kind: 'park', time: indexToSeekTime(0, timing) });
    expect(chase({ ...base, seeking: true, mediaTime: 0, wantedFrameTime: timing.startFrame + 500 }, timing).action).toEqual({ kind: 'none' });
  });
});

describe('overlays', () => {
  const rate = parseFrameRate('24');
  const cue: OverlayCue = { number: 'R101', kind: 'adr', inFrame: 1000, outFrame: 1060, character: 'ROBIN', text: 'Halt!' };
  const streamerLead = (shapes: Shape[]) => {
    const bars = shapes.filter((s): s is Extract<Shape, { kind: 'rect' }> => s.kind === 'rect' && s.h === 1 && s.w < 0.5);
    return Math.max(...bars.map((b) => b.x + b.w));
  };

  it('runs the streamer so its leading edge reaches the end exactly on the in frame, a step per frame', () => {
    const length = streamerFrames(3, rate);
    expect(length).toBe(72);
    const leads = [];
    const style = applyOverride(DEFAULT_OVERLAY, { streamer: { endBar: false } });
    for (let f = cue.inFrame - length + 1; f <= cue.inFrame; f++) leads.push(streamerLead(overlayShapes(f, cue, style, rate)));
    expect(leads.at(-1)).toBe(1);
    expect(leads.at(-2)).toBeCloseTo(71 / 72, 10);
    for (let i = 1; i < leads.length; i++) expect(leads[i]!).toBeGreaterThan(leads[i - 1]!);
    // Gone after the in frame; only the end bar before the streamer starts moving.
    expect(overlayShapes(cue.inFrame + 1, cue, DEFAULT_OVERLAY, rate).some((s) => s.kind === 'rect' && s.h === 1)).toBe(false);
  });

  it('meets in the centre from both edges when asked', () => {
    const style = applyOverride(DEFAULT_OVERLAY, { streamer: { direction: 'edges-to-centre', endBar: false } });
    const bars = overlayShapes(cue.inFrame, cue, style, rate).filter((s) => s.kind === 'rect');
    expect(bars).toHaveLength(2);
    expect(bars.map((b) => (b.kind === 'rect' ? [b.x, b.x + b.w] : []))).toEqual([[0.5 - style.streamer.width, 0.5], [0.5, 0.5 + style.streamer.width]]);
  });

  it('punches on the in frame with the chosen holes, flutters every other frame before it', () => {
    const punch = (f: number, holes: 1 | 3 | 5 | 7 = 1) =>
      overlayShapes(f, cue, applyOverride(DEFAULT_OVERLAY, { punch: { holes }, flutters: 3 }), rate).filter((s) => s.kind === 'circle');
    expect(punch(cue.inFrame - 1)).toHaveLength(0);
    expect(punch(cue.inFrame)).toHaveLength(1);
    expect(punch(cue.inFrame + 1)).toHaveLength(1);
    expect(punch(cue.inFrame + 2)).toHaveLength(0);
    expect(punch(cue.inFrame, 7)).toHaveLength(7);
    const flashes = [];
    for (let f = cue.inFrame - 10; f < cue.inFrame; f++) {
      if (overlayShapes(f, cue, applyOverride(DEFAULT_OVERLAY, { flutters: 3 }), rate).some((s) => s.kind === 'rect' && s.w === 1)) flashes.push(cue.inFrame - f);
    }
    expect(flashes).toEqual([6, 4, 2]);
  });

  it('counts down whole seconds, shows the cue text and the burn-in', () => {
    const texts = (f: number, style = DEFAULT_OVERLAY) => overlayShapes(f, cue, style, rate).flatMap((s) => (s.kind === 'text' ? [s.text] : []));
    expect(texts(cue.inFrame - 24)).toContain('1');
    expect(texts(cue.inFrame - 25)).toContain('2');
    expect(texts(cue.inFrame - 72)).toContain('3');
    expect(texts(cue.inFrame)).toEqual(expect.arrayContaining(['R101  ROBIN', 'Halt!', '00:00:41:16']));
    expect(texts(cue.outFrame)).toEqual(['00:00:44:04']);
    expect(texts(1000, applyOverride(DEFAULT_OVERLAY, { burnIn: 'feet-frames', countdown: 0, cueText: false }))).toEqual(['62+08']);
  });
});

describe('sync log figures', () => {
  it('finds lock and the share within one frame after it', () => {
    const entries: SyncEntry[] = [[0, 100, 90], [40, 101, 95], [80, 102, 101]];
    for (let i = 0; i < 97; i++) entries.push([120 + i * 40, 103 + i, 103 + i + (i === 50 ? 2 : 0)]);
    const stats = syncLogStats(entries);
    expect(stats.lockMs).toBe(80);
    expect(stats.frames).toBe(100);
    expect(stats.withinOneFramePercent).toBe(99);
    expect(stats.worstError).toBe(2);
    expect(syncLogStats(entries.slice(0, LOCK_RUN - 1)).lockMs).toBe(null);
  });
});

describe('ffmpeg -progress', () => {
  it('reports the frame count at the end of each block', () => {
    const seen: number[] = [];
    const read = ffmpegProgress((n) => seen.push(n));
    for (const line of ['frame=12', 'fps=0.0', 'out_time_us=500000', 'progress=continue', 'frame=75', 'junk', 'progress=end']) read(line);
    expect(seen).toEqual([12, 75]);
  });
});

describe('picture model (UI)', () => {
  const picture = (id: number, start: number, end: number) => ({ id, start, end }) as unknown as Picture;
  const list = { pictures: [picture(1, 0, 1000), picture(2, 500, 2000), picture(3, 5000, 6000)], cuePictures: [[7, 3]] as Array<[number, number]> };

  it('plays a cue\'s own picture, else the newest holding the position, else the newest', () => {
    expect(pictureFor(list, 7, 10)?.id).toBe(3);
    expect(pictureFor(list, 8, 700)?.id).toBe(2);
    expect(pictureFor(list, null, 100)?.id).toBe(1);
    expect(pictureFor(list, null, 3000)?.id).toBe(3);
    expect(pictureFor({ pictures: [], cuePictures: [] }, null, 0)).toBeNull();
  });

  it('carries the page\'s session token to the media URL', () => {
    expect(pictureMediaUrl(4, '')).toBe('media/picture/4');
    expect(pictureMediaUrl(4, '?token=a%2Bb&x=1')).toBe('media/picture/4?token=a%2Bb');
  });
});
