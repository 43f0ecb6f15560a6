/**
 * The shared state every Loopstage page sets up in its root component: the session, the cue list,
 * the recorder, the pictures and the Foley passes, each in context and following the engine. Call
 * it while the root component initialises (the state classes start effects).
 */
import { CueListState, setCueList } from './cues.svelte.js';
import { PassesState, setPasses } from './passes.svelte.js';
import { PictureState, setPictures } from './pictures.svelte.js';
import { RecorderState, setRecorder } from './recorder.svelte.js';
import { setSession, type SessionState } from './session.svelte.js';

export function provideStage(session: SessionState): { cues: CueListState; recorder: RecorderState; pictures: PictureState; passes: PassesState } {
  setSession(session);
  const cues = setCueList(new CueListState(session));
  cues.follow();
  const recorder = setRecorder(new RecorderState(session, cues));
  recorder.follow();
  const pictures = setPictures(new PictureState(session));
  pictures.follow();
  // The Foley passes share the recorder (arm, calibration) and tell the cue list what is covered.
  const passes = setPasses(new PassesState(session, cues, recorder));
  passes.follow();
  return { cues, recorder, pictures, passes };
}
