/** Entry point: one session, the app on the page, then the engine (bridge in Electron, WebSocket in a browser). */
import './lib/csp.js'; // first: configures zod before any schema is built
import { mount } from 'svelte';
import App from './App.svelte';
import { connectToEngine } from './lib/connect.js';
import { SessionState } from './lib/session.svelte.js';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('Loopstage: the page has no #app element to mount into.');

const session = new SessionState();
mount(App, { target, props: { session } });
void session.connect(() => connectToEngine());
