import { describe, expect, it } from 'vitest';
import { UndoQueue, type Timers } from '../../src/console/app/src/lib/undo';

/** Timers run by hand: `advance(ms)` fires whatever is due, in order. */
function manualTimers() {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => {
      due.delete(id as number);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now) {
        due.delete(id);
        t.fn();
      }
    }
  };
  return { timers, advance, pending: () => due.size };
}

describe('decisions held for an undo window', () => {
  it('sends a decision only once its window is over', () => {
    const { timers, advance } = manualTimers();
    const sent: [string, string][] = [];
    const queue = new UndoQueue<string>(5000, (id, d) => sent.push([id, d]), timers);
    queue.schedule('SHP-1', 'refund');
    advance(4999);
    expect(sent).toEqual([]);
    expect(queue.has('SHP-1')).toBe(true);
    advance(1);
    expect(sent).toEqual([['SHP-1', 'refund']]);
    expect(queue.has('SHP-1')).toBe(false);
  });

  it('sends nothing for a decision undone within the window, and returns it', () => {
    const { timers, advance, pending } = manualTimers();
    const sent: string[] = [];
    const queue = new UndoQueue<string>(5000, (id) => sent.push(id), timers);
    queue.schedule('SHP-1', 'refund');
    advance(3000);
    expect(queue.undo('SHP-1')).toBe('refund');
    advance(10_000);
    expect(sent).toEqual([]);
    expect(pending()).toBe(0);
    // Too late to undo once sent.
    queue.schedule('SHP-2', 'reship');
    advance(5000);
    expect(queue.undo('SHP-2')).toBeUndefined();
    expect(sent).toEqual(['SHP-2']);
  });

  it('replaces a held decision for the same shipment, so only the last is sent, once', () => {
    const { timers, advance } = manualTimers();
    const sent: string[] = [];
    const queue = new UndoQueue<string>(5000, (_id, d) => sent.push(d), timers);
    queue.schedule('SHP-1', 'refund');
    advance(2000);
    queue.schedule('SHP-1', 'reship');
    advance(4000);
    expect(sent).toEqual([]);
    advance(1000);
    expect(sent).toEqual(['reship']);
  });

  it('lists held decisions oldest first, and sends all of them at once when the page is left', () => {
    const { timers, advance } = manualTimers();
    const sent: string[] = [];
    const queue = new UndoQueue<string>(5000, (id) => sent.push(id), timers);
    queue.schedule('SHP-1', 'refund');
    queue.schedule('SHP-2', 'refund');
    expect(queue.ids()).toEqual(['SHP-1', 'SHP-2']);
    queue.flush();
    expect(sent).toEqual(['SHP-1', 'SHP-2']);
    advance(10_000);
    expect(sent).toEqual(['SHP-1', 'SHP-2']);
  });
});
