/**
 * Foley passes as the UI and the command line make them: planned from the cue list
 * (core/recording/foley-passes.ts), stored with their events, noted in the session log, and listed
 * with which of their events pass takes cover.
 */
import { planPass, type PassRequest } from '../../core/recording/foley-passes.js';
import type { FoleyPassRecord } from '../ports/pass-store.js';
import type { ProjectHandle } from '../ports/project-store.js';
import { writeLog } from '../session/session-log.js';

export type PassWithCoverage = FoleyPassRecord & { readonly coveredEventIds: readonly number[] };

export async function createPass(handle: ProjectHandle, now: Date, request: PassRequest & { readonly name?: string }, log?: (line: string) => void): Promise<FoleyPassRecord> {
  const plan = planPass(await handle.cues.listCues(), request, await handle.cues.listScenes());
  const created = await handle.passes.create({
    name: request.name?.trim() || plan.name,
    pass: request.pass,
    character: request.character,
    scope: request.scope,
    scene: request.scope === 'scene' ? (request.scene ?? null) : null,
    reel: request.scope === 'reel' ? (request.reel ?? null) : null,
    in: plan.in,
    out: plan.out,
    createdAt: now.toISOString(),
    eventIds: plan.events.map((event) => event.id),
  });
  const events = created.eventIds.length;
  await writeLog(handle, now, { action: 'pass.created', passId: created.id, text: `Foley pass "${created.name}" created with ${events} event${events === 1 ? '' : 's'}`, data: { eventIds: created.eventIds } })
    .catch((error: unknown) => log?.(`session log: could not note the new pass (${String(error)})`));
  return created;
}

export async function listPasses(handle: ProjectHandle): Promise<PassWithCoverage[]> {
  const [passes, coverage] = await Promise.all([handle.passes.list(), handle.takes.coverage()]);
  return passes.map((pass) => ({ ...pass, coveredEventIds: pass.eventIds.filter((id) => coverage.has(id)) }));
}
