/**
 * Where the audio process's frames come from: the real interface through PortAudio (naudiodon2), or
 * the software clock that stands in when there is none. Both deliver whole buffers and report how
 * many frames each held; everything downstream counts those frames and nothing else.
 */
import { createRequire } from 'node:module';
import { LoopstageError } from '../../core/errors.js';
import { SOFTWARE_CLOCK_NAME, type AudioDeviceInfo, type AudioStreamConfig } from '../../engine/ports/audio-host.js';

/**
 * The next output buffer of `frames` frames, interleaved float32, or null for silence (the usual
 * case, which then costs nothing on the audio path). `streamFrame` is the first input frame of the
 * callback it is written in: output and input are counted in the same frames, and the round trip
 * from a callback's output to the input frame that hears it is what calibration measures.
 */
export type OutputFiller = (streamFrame: number, frames: number) => Float32Array | null;

export interface FrameSource {
  readonly clockSource: 'audio-device' | 'software-clock';
  /**
   * Starts delivery; `onBuffer` receives each buffer's frame count (and its samples when there are
   * any); `fill`, when given, writes what the output plays, one output buffer per input buffer.
   */
  start(onBuffer: (frames: number, samples: Buffer | null) => void, onError: (error: LoopstageError) => void, fill?: OutputFiller): void;
  close(): Promise<void>;
}

/** Bytes per frame of the stream format we open: 32-bit float, the engine's working format. */
export function bytesPerFrame(channels: number): number {
  return channels * 4;
}

interface NaudiodonDevice {
  id: number;
  name: string;
  hostAPIName: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  defaultSampleRate: number;
}

interface NaudiodonStream {
  on(event: 'data', listener: (chunk: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  write(chunk: Buffer): boolean;
  start(): void;
  quit(): Promise<void>;
}

interface Naudiodon {
  SampleFormatFloat32: number;
  getDevices(): NaudiodonDevice[];
  AudioIO(options: Record<string, unknown>): NaudiodonStream;
}

let naudiodon: Naudiodon | undefined;
function loadNaudiodon(): Naudiodon {
  // Loaded on first use and only in the audio process: PortAudio initialisation can abort a process.
  naudiodon ??= createRequire(import.meta.url)('naudiodon2') as Naudiodon;
  return naudiodon;
}

export function listPortAudioDevices(): AudioDeviceInfo[] {
  return loadNaudiodon()
    .getDevices()
    .map((device) => ({
      name: device.name,
      hostApi: device.hostAPIName,
      maxInputChannels: device.maxInputChannels,
      maxOutputChannels: device.maxOutputChannels,
      defaultSampleRate: device.defaultSampleRate,
    }));
}

function findDevice(devices: NaudiodonDevice[], name: string, direction: 'input' | 'output', channels: number): NaudiodonDevice {
  const named = devices.filter((device) => device.name === name);
  if (named.length === 0) {
    throw new LoopstageError(
      'AUDIO_DEVICE_MISSING',
      `The audio ${direction} device "${name}" is not connected. Connect it, or choose another device (\`loopstage devices\` lists them).`,
      { device: name, direction },
    );
  }
  const capable = named.find((device) =>
    (direction === 'input' ? device.maxInputChannels : device.maxOutputChannels) >= channels,
  );
  if (!capable) {
    throw new LoopstageError(
      'AUDIO_DEVICE_CHANNELS',
      `The audio ${direction} device "${name}" has fewer than ${channels} ${direction} channels; choose fewer channels or another device.`,
      { device: name, direction, channels },
    );
  }
  return capable;
}

const OUTPUT_PRIME_BUFFERS = 4;

export class PortAudioDuplex implements FrameSource {
  readonly clockSource = 'audio-device';
  #stream: NaudiodonStream | undefined;
  #closed = false;

  constructor(private readonly config: AudioStreamConfig) {}

  start(onBuffer: (frames: number, samples: Buffer | null) => void, onError: (error: LoopstageError) => void, fill?: OutputFiller): void {
    const pa = loadNaudiodon();
    const devices = pa.getDevices();
    const input = findDevice(devices, this.config.input, 'input', this.config.inputChannels);
    const output = findDevice(devices, this.config.output, 'output', this.config.outputChannels);
    const common = {
      sampleFormat: pa.SampleFormatFloat32,
      sampleRate: this.config.sampleRate,
      framesPerBuffer: this.config.framesPerBuffer,
      // A deep queue and no close-on-error: if JS falls behind, PortAudio's callback waits on the queue
      // instead of tearing the stream down; late buffers are counted upstream.
      maxQueue: 256,
      closeOnError: false,
    };
    const inBytes = this.config.framesPerBuffer * bytesPerFrame(this.config.inputChannels);
    let stream: NaudiodonStream;
    try {
      stream = pa.AudioIO({
        inOptions: { ...common, deviceId: input.id, channelCount: this.config.inputChannels, highwaterMark: inBytes },
        outOptions: {
          ...common,
          deviceId: output.id,
          channelCount: this.config.outputChannels,
          highwaterMark: this.config.framesPerBuffer * bytesPerFrame(this.config.outputChannels),
        },
      });
    } catch (error) {
      throw new LoopstageError(
        'AUDIO_OPEN_FAILED',
        `The audio devices "${this.config.input}" / "${this.config.output}" could not be opened at ${this.config.sampleRate} Hz (${(error as Error).message}); check the device is free and supports that rate.`,
      );
    }
    this.#stream = stream;
    const outFrameBytes = bytesPerFrame(this.config.outputChannels);
    const silence = new Map<number, Buffer>();
    let inputFrame = 0;
    stream.on('data', (chunk: Buffer) => {
      const frames = chunk.length / bytesPerFrame(this.config.inputChannels);
      onBuffer(frames, chunk);
      // Keep the output in lockstep with the input: one buffer out for every buffer in.
      const samples = fill?.(inputFrame, frames);
      let out = samples ? Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength) : silence.get(frames);
      if (!out) silence.set(frames, (out = Buffer.alloc(frames * outFrameBytes)));
      inputFrame += frames;
      if (!this.#closed) stream.write(out);
    });
    stream.on('error', (error: Error) => {
      if (!this.#closed) onError(new LoopstageError('AUDIO_STREAM_ERROR', `The audio stream failed (${error.message}); check the interface and reopen it.`));
    });
    // Prime the output a few buffers deep: the output is fed from JS one buffer per input buffer, and
    // that round trip must not leave the device dry (the offset this adds is measured by calibration).
    const prime = Buffer.alloc(this.config.framesPerBuffer * outFrameBytes);
    for (let i = 0; i < OUTPUT_PRIME_BUFFERS; i++) stream.write(prime);
    stream.start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#stream?.quit();
  }
}

/**
 * The stand-in master clock for machines with no audio interface: buffers of exactly
 * `framesPerBuffer` frames, released as the OS's monotonic clock says they are due.
 */
export class SoftwareClock implements FrameSource {
  readonly clockSource = 'software-clock';
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly config: AudioStreamConfig, private readonly now: () => number = () => performance.now()) {}

  start(onBuffer: (frames: number, samples: Buffer | null) => void): void {
    const started = this.now();
    let delivered = 0;
    const { sampleRate, framesPerBuffer } = this.config;
    this.#timer = setInterval(() => {
      const due = Math.floor(((this.now() - started) * sampleRate) / 1000);
      while (due - delivered >= framesPerBuffer) {
        delivered += framesPerBuffer;
        onBuffer(framesPerBuffer, null);
      }
    }, 1);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
  }
}

export function createFrameSource(config: AudioStreamConfig): FrameSource {
  const software = config.input === SOFTWARE_CLOCK_NAME || config.output === SOFTWARE_CLOCK_NAME;
  if (software && config.input !== config.output) {
    throw new LoopstageError(
      'AUDIO_SOFTWARE_CLOCK_MIXED',
      'The software clock stands in for a whole interface: choose it for both input and output, or two real devices.',
    );
  }
  return software ? new SoftwareClock(config) : new PortAudioDuplex(config);
}
