/**
 * Denials per actor in a sliding window. `add` reports a burst once when an actor reaches
 * the threshold, then again only after its window has emptied below it, so a client stuck
 * in a retry loop raises one incident per burst, not one per request.
 */
export class DenialWindow {
  private readonly seen = new Map<string, { times: number[]; resources: Set<string>; raised: boolean }>();

  constructor(
    readonly threshold: number,
    readonly windowMs: number,
    private readonly maxActors = 10_000,
  ) {}

  add(actor: string, now: number, resource?: string): { count: number; windowMs: number; resources: string[] } | undefined {
    let entry = this.seen.get(actor);
    if (!entry) {
      if (this.seen.size >= this.maxActors) this.evict(now);
      entry = { times: [], resources: new Set(), raised: false };
      this.seen.set(actor, entry);
    }
    entry.times = entry.times.filter((t) => now - t < this.windowMs);
    if (entry.times.length < this.threshold - 1) entry.raised = false;
    entry.times.push(now);
    if (resource && entry.resources.size < 20) entry.resources.add(resource);
    if (entry.times.length >= this.threshold && !entry.raised) {
      entry.raised = true;
      return { count: entry.times.length, windowMs: this.windowMs, resources: [...entry.resources] };
    }
    return undefined;
  }

  private evict(now: number): void {
    for (const [actor, entry] of this.seen) if (entry.times.every((t) => now - t >= this.windowMs)) this.seen.delete(actor);
    // Still full of active actors: drop the oldest entry rather than grow without bound.
    if (this.seen.size >= this.maxActors) this.seen.delete(this.seen.keys().next().value as string);
  }
}
