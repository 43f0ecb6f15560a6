// Makes the demo reel's picture, cues/media/demo-reel1.mp4, from the demo cue lists (cues/adr.csv,
// cues/foley.tsv), so the picture, its guide sound and the cues always agree:
// - picture: a bridge over a river, ROBIN (green) and MARIAN (red) moving as the cues say, the line
//   being spoken as a caption, scene titles, and burnt-in timecode; 24 fps from 01:00:00:00 with a
//   timecode track;
// - sound: every ADR line spoken by espeak-ng at its TC in (a voice per character), and a made-up
//   sound for every Foley event over its range (steps, thumps, rustles, a whinny), mixed here.
// Needs ffmpeg, espeak-ng and sox (`apt-get install ffmpeg espeak-ng sox fonts-dejavu-core`).
// Run it again after changing the cue lists, and commit the film: `node scripts/make-demo-film.mjs`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const demo = path.join(root, 'cues');
const out = path.join(demo, 'media', 'demo-reel1.mp4');
const FPS = 24;
const RATE = 48_000;
const START = '01:00:00:00';
const LENGTH_S = 42;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const BOLD = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

const work = mkdtempSync(path.join(tmpdir(), 'loopstage-demo-film-'));
try {
  const adr = table('adr.csv', ',');
  const foley = table('foley.tsv', '\t');
  const sound = mix(adr, foley);
  const soundFile = path.join(work, 'sound.f32');
  writeFileSync(soundFile, Buffer.from(sound.buffer));
  const filterFile = path.join(work, 'picture.filter');
  writeFileSync(filterFile, pictureFilter(adr));
  run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=0x5d86b0:s=640x360:r=${FPS}:d=${LENGTH_S}`,
    '-f', 'f32le', '-ar', String(RATE), '-ac', '1', '-i', soundFile,
    '-filter_complex_script', filterFile, '-map', '[v]', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'slow', '-crf', '30', '-tune', 'animation', '-pix_fmt', 'yuv420p',
    '-g', '12', '-keyint_min', '12', '-sc_threshold', '0', '-bf', '0',
    '-c:a', 'aac', '-b:a', '64k', '-timecode', START, '-movflags', '+faststart',
    '-metadata', 'title=Loopstage demo, reel 1', '-t', String(LENGTH_S), out,
  ]);
  console.log(`wrote ${path.relative(root, out)} (${(statSync(out).size / 1048576).toFixed(2)} MB)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function table(file, delimiter) {
  const parsed = Papa.parse(readFileSync(path.join(demo, file), 'utf8'), { header: true, delimiter, skipEmptyLines: true });
  return parsed.data.map((row) => ({ ...row, in: seconds(row['TC In']), out: seconds(row['TC Out']) }));
}

/** Seconds from the reel's start (01:00:00:00) of a 24 fps timecode. */
function seconds(tc) {
  const [h, m, s, f] = tc.split(/[:;]/).map(Number);
  return (h - 1) * 3600 + m * 60 + s + f / FPS;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: options.encoding ?? 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout;
}

/** Mono float samples at 48 kHz of a sox synthesis or a converted file. */
function samples(soxInput, effects = []) {
  const raw = run('sox', [...soxInput, '-r', String(RATE), '-c', '1', '-t', 'f32', '-', ...effects], { encoding: 'buffer' });
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
}

function synth(length, ...rest) {
  return samples(['-n'], ['synth', String(length), ...rest]);
}

function addAt(master, clip, atSeconds, gain = 1) {
  const offset = Math.round(atSeconds * RATE);
  for (let i = 0; i < clip.length && offset + i < master.length; i++) master[offset + i] += clip[i] * gain;
}

function mix(adr, foley) {
  const master = new Float32Array(LENGTH_S * RATE);
  const voices = { ROBIN: ['-v', 'en-gb', '-p', '35', '-s', '165'], MARIAN: ['-v', 'en-us+f3', '-p', '60', '-s', '165'] };
  for (const cue of adr) {
    const wav = path.join(work, `${cue.Cue}.wav`);
    run('espeak-ng', [...(voices[cue.Character] ?? []), '-w', wav, cue.Dialogue]);
    addAt(master, samples([wav], ['silence', '1', '0.01', '0.5%', 'norm', '-3']), cue.in);
  }
  const step = synth(0.07, 'brownnoise', 'fade', 'q', '0.003', '0.07', '0.05', 'lowpass', '900', 'norm', '-6');
  const gravel = synth(0.12, 'whitenoise', 'fade', 'q', '0.005', '0.12', '0.09', 'bandpass', '3000', '2q', 'norm', '-10');
  const thump = synth(0.15, 'sine', '90', 'fade', 'q', '0.002', '0.15', '0.14', 'norm', '-4');
  const rustle = synth(0.7, 'pinknoise', 'tremolo', '13', '90', 'highpass', '2500', 'fade', 'h', '0.15', '0.7', '0.3', 'norm', '-14');
  const crack = synth(0.03, 'whitenoise', 'fade', 'q', '0', '0.03', '0.025', 'norm', '-6');
  const whinny = synth(1.1, 'sawtooth', '700-1100', 'tremolo', '9', '70', 'lowpass', '2500', 'fade', 'h', '0.05', '1.1', '0.5', 'norm', '-12');
  for (const event of foley) {
    const pass = event.Pass.toLowerCase();
    const length = event.out - event.in;
    if (pass === 'feet') {
      const clip = /gravel/i.test(event.Surface) && !/planks, then/i.test(event.Surface) ? gravel : step;
      for (let t = 0; t < length; t += 0.5) addAt(master, clip, event.in + t);
    } else if (pass === 'props') {
      if (/seal/i.test(event.Prop)) [0, 0.08, 0.2].forEach((t) => addAt(master, crack, event.in + t));
      if (/letter|paper/i.test(event.Prop)) addAt(master, rustle, event.in + 0.1);
      if (/staff/i.test(event.Prop)) addAt(master, thump, event.in);
    } else if (pass === 'cloth' || pass === 'moves') {
      addAt(master, rustle, event.in, 0.8);
    } else if (/horse/i.test(event.Description)) {
      addAt(master, whinny, event.in);
    }
  }
  for (let i = 0; i < master.length; i++) master[i] = Math.max(-0.99, Math.min(0.99, master[i]));
  return master;
}

/** ffmpeg's drawtext wants ' : , \ escaped inside its options. */
function text(value) {
  return value.replace(/\\/g, '\\\\\\\\').replace(/'/g, '\u2019').replace(/:/g, '\\:').replace(/,/g, '\\,').replace(/%/g, '\\%');
}

/** A piecewise-linear position over time: [[t, x], …] as an ffmpeg expression of t. */
function path1d(points) {
  let expression = String(points.at(-1)[1]);
  for (let i = points.length - 2; i >= 0; i--) {
    const [t0, x0] = points[i];
    const [t1, x1] = points[i + 1];
    const slope = (x1 - x0) / (t1 - t0);
    expression = `if(lt(t\\,${t1})\\,${x0}+(t-${t0})*${slope.toFixed(3)}\\,${expression})`;
  }
  return `if(lt(t\\,${points[0][0]})\\,${points[0][1]}\\,${expression})`;
}

function pictureFilter(adr) {
  // ROBIN guards the bridge's middle; MARIAN arrives from the right, stops, and crosses at the end.
  const robin = path1d([[0, 60], [1, 60], [3, 250], [18.5, 250], [21, 280], [31.5, 280], [33, 200], [42, 200]]);
  const marian = path1d([[0, 660], [4, 660], [6.5, 400], [35, 400], [39, -40], [42, -40]]);
  const scenery = [
    // Sky, the far bank, river and bridge; the second scene is at dusk.
    "drawbox=x=0:y=0:w=640:h=200:color=0x2b3f66@0.9:t=fill:enable='gte(t,20)'",
    'drawbox=x=0:y=200:w=640:h=40:color=0x3f6b3a:t=fill',
    'drawbox=x=0:y=280:w=640:h=80:color=0x1f4f7a:t=fill',
    'drawbox=x=0:y=250:w=640:h=30:color=0x6b4f2a:t=fill',
    ...[0, 80, 160, 240, 320, 400, 480, 560].map((x) => `drawbox=x=${x}:y=250:w=4:h=30:color=0x4a3418:t=fill`),
  ];
  // drawbox cannot move with time (its `t` is the line thickness), so the characters are overlaid.
  const people = [
    `color=c=0x3aa34a:s=30x70:r=${FPS}:d=${LENGTH_S}[robin]`,
    `color=c=0xc0392b:s=28x64:r=${FPS}:d=${LENGTH_S}[marian]`,
    `[scenery][robin]overlay=x='${robin}':y=180[one]`,
    `[one][marian]overlay=x='${marian}':y=186[two]`,
  ];
  const words = [
    `drawtext=fontfile=${FONT}:text='ROBIN':x='${robin}-8':y=160:fontsize=13:fontcolor=white`,
    `drawtext=fontfile=${FONT}:text='MARIAN':x='${marian}-12':y=166:fontsize=13:fontcolor=white`,
    `drawtext=fontfile=${BOLD}:text='Scene 1 — the bridge':x=20:y=20:fontsize=18:fontcolor=white:enable='lt(t,20)'`,
    `drawtext=fontfile=${BOLD}:text='Scene 2 — the letter':x=20:y=20:fontsize=18:fontcolor=white:enable='gte(t,20)'`,
    `drawtext=fontfile=${FONT}:timecode='${START.replace(/:/g, '\\:')}':rate=${FPS}:x=w-tw-16:y=16:fontsize=22:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6`,
    ...adr.map(
      (cue) =>
        `drawtext=fontfile=${FONT}:text='${text(`${cue.Character}: ${cue.Dialogue}`)}':x=(w-tw)/2:y=h-36:fontsize=16:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=6:enable='between(t,${cue.in.toFixed(3)},${cue.out.toFixed(3)})'`,
    ),
  ];
  return [`[0:v]${scenery.join(',')}[scenery]`, ...people, `[two]${words.join(',')}[v]`].join(';\n');
}
