/** IPC channel names shared by the main process and the preload (the preload inlines its own copy). */
export const CALL_CHANNEL = 'loopstage:call';
export const MESSAGE_CHANNEL = 'loopstage:message';
/** The custom scheme the renderer is served from; only frames on it may call the engine. */
export const APP_ORIGIN = 'app://loopstage';
