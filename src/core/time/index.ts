export { position, duration, offset, between, type Position, type Duration } from './position.js';
export {
  FRAME_RATE_IDS,
  FRAME_RATES,
  parseFrameRate,
  frameRateRatio,
  type FrameRate,
  type FrameRateId,
} from './frame-rate.js';
export { framesPerDay, framesToLabel, labelToFrames } from './timecode.js';
export { frameToPosition, positionToFrame, labelToPosition, positionToLabel } from './samples.js';
export { FRAMES_PER_FOOT_35MM, framesToFeetFrames, parseFeetFrames } from './feet-frames.js';
export { SESSION_SAMPLE_RATES, type SessionSampleRate } from './sample-rates.js';
