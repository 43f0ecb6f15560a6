/** The session sample rates Loopstage records at (Hz): what projects and the UI offer. */
export const SESSION_SAMPLE_RATES = [44_100, 48_000, 88_200, 96_000, 192_000] as const;
export type SessionSampleRate = (typeof SESSION_SAMPLE_RATES)[number];
