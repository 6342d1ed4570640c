/**
 * Group commit for concurrent single-item calls: items asked for while earlier statements are
 * still running wait for one of them to finish and then go out together, as one multi-row
 * statement. A lone call goes out at once (on the next turn of the event loop), so a quiet
 * receiver waits for nothing; a busy one writes ten webhooks' rows with one statement instead of
 * ten, as the batch route does for its items.
 *
 * `run` gets the items in call order and answers one result per item, in the same order. When a
 * group fails, each of its items is tried again alone, so one bad item fails only its own call.
 */
export interface CoalesceOptions {
  /** Most items in one statement (default 500). */
  maxBatch?: number;
  /** Statements running at once; more items wait and join the next group (default 4). */
  maxInFlight?: number;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

export function coalesce<I, O>(
  run: (items: I[]) => Promise<O[]>,
  opts: CoalesceOptions = {},
): (item: I) => Promise<O> {
  const maxBatch = opts.maxBatch ?? 500;
  const maxInFlight = opts.maxInFlight ?? 4;
  let queue: Pending<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const runGroup = async (group: Pending<I, O>[]): Promise<void> => {
    try {
      const results = await run(group.map((p) => p.item));
      if (results.length !== group.length)
        throw new Error(`coalesced run answered ${results.length} results for ${group.length}`);
      group.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // One bad item must not fail the others: each goes again alone.
      await Promise.all(group.map((p) => runGroup([p])));
    }
  };

  const flush = (): void => {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const group = queue.slice(0, maxBatch);
      queue = queue.slice(group.length);
      inFlight++;
      void runGroup(group).finally(() => {
        inFlight--;
        if (queue.length > 0) schedule();
      });
    }
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
