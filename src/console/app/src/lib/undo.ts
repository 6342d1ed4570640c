/**
 * Decisions held back for an undo window before they are sent: scheduling one starts its timer,
 * undoing it within the window means nothing is ever sent (test/unit/console-undo.test.ts).
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class UndoQueue<T> {
  private readonly waiting = new Map<string, { value: T; handle: unknown }>();

  constructor(
    private readonly windowMs: number,
    private readonly send: (id: string, value: T) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Holds `value` for `id`; a second one for the same id replaces the first (one send only). */
  schedule(id: string, value: T): void {
    this.cancel(id);
    const handle = this.timers.setTimeout(() => {
      this.waiting.delete(id);
      this.send(id, value);
    }, this.windowMs);
    this.waiting.set(id, { value, handle });
  }

  /** Takes a held decision back; returns it, or undefined when it was already sent (or none). */
  undo(id: string): T | undefined {
    const held = this.cancel(id);
    return held;
  }

  /** Sends every held decision now (the page is being left: the reviewer meant them). */
  flush(): void {
    for (const [id, { value }] of [...this.waiting]) {
      this.cancel(id);
      this.send(id, value);
    }
  }

  has(id: string): boolean {
    return this.waiting.has(id);
  }

  /** Ids held, oldest first (the last is what the undo shortcut takes back). */
  ids(): string[] {
    return [...this.waiting.keys()];
  }

  private cancel(id: string): T | undefined {
    const held = this.waiting.get(id);
    if (!held) return undefined;
    this.timers.clearTimeout(held.handle);
    this.waiting.delete(id);
    return held.value;
  }
}
