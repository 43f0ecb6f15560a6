/** Entry point: one session, the app (or the talent's screen) on the page, then the engine (bridge in Electron, WebSocket in a browser). */
import './lib/csp.js'; // first: configures zod before any schema is built
import { mount } from 'svelte';
import App from './App.svelte';
import TalentApp from './TalentApp.svelte';
import { connectToEngine } from './lib/connect.js';
import { SessionState } from './lib/session.svelte.js';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('Loopstage: the page has no #app element to mount into.');

const session = new SessionState();
// The talent's screen is the same app showing only picture, line and state (a second window or page).
const talent = new URLSearchParams(location.search).get('screen') === 'talent';
mount(talent ? TalentApp : App, { target, props: { session } });
void session.connect(() => connectToEngine());
