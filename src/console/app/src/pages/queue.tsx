import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { api, ApiError, must, type Schemas } from '../api/client';
import { useCarrierNames } from '../components/carriers';
import { ConfirmDialog } from '../components/confirm';
import { Evidence } from '../components/evidence';
import { Filters } from '../components/filters';
import { useT } from '../i18n';
import { count, dateTime, money, span } from '../lib/format';
import {
  applyFilter,
  freshRows,
  mergeLive,
  parseViews,
  type QueueFilter,
  type QueueRow,
  type SavedView,
  type SortKey,
} from '../lib/queue';
import { UndoQueue } from '../lib/undo';
import { may, useSession } from '../session';

export type Review = Schemas['ReviewQueuePage']['items'][number];
type Decision = Schemas['ReviewDecision']['decision'];

const DECISIONS: { value: Decision; key: string }[] = [
  { value: 'reship', key: 'r' },
  { value: 'refund', key: 'f' },
  { value: 'keep_waiting', key: 'w' },
  { value: 'mark_delivered', key: 'd' },
];

/** How long a decision waits for an undo before it is sent. */
export const UNDO_MS = 5000;
/** Live updates: the queue is asked again this often, with its ETag (304 when unchanged). */
const POLL_MS = 4000;
const VIEWS_ITEM = 'parcelwarden.console.views';

/** A decision's state on its row until the next refresh. */
interface Marked {
  decision: Decision;
  phase: 'held' | 'sending' | 'taken' | 'failed';
  message?: string;
}
interface Held {
  decision: Decision;
  round: number;
  note?: string;
}

/** Every pending review, page by page, and the first page's ETag for live updates. */
async function fetchQueue(): Promise<{ items: Review[]; etag: string | null }> {
  const items: Review[] = [];
  let cursor: string | undefined;
  let etag: string | null = null;
  do {
    const page = await must(
      api.GET('/v1/reviews', { params: { query: { limit: 200, cursor } } }).then((r) => {
        if (!cursor) etag = r.response.headers.get('ETag');
        return r;
      }),
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { items, etag };
}

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLTextAreaElement ||
  t instanceof HTMLSelectElement ||
  (t instanceof HTMLInputElement && t.type !== 'checkbox');

export function QueuePage() {
  const { t, locale } = useT('queue');
  const terms = useT('terms').t;
  const session = useSession();
  const canDecide = may(session, 'decide');
  const carrierName = useCarrierNames();
  const [, navigate] = useLocation();

  const [all, setAll] = useState<Review[] | undefined>();
  const [rows, setRows] = useState<QueueRow<Review>[]>([]);
  const [filter, setFilter] = useState<QueueFilter>({});
  const [sort, setSort] = useState<SortKey>('oldest');
  const [views, setViews] = useState<SavedView[]>(() =>
    parseViews(localStorage.getItem(VIEWS_ITEM)),
  );
  const [marks, setMarks] = useState<Map<string, Marked>>(new Map());
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [current, setCurrent] = useState(0);
  const [notes, setNotes] = useState<Map<string, string>>(new Map());
  const [status, setStatus] = useState<{ text: string; error?: boolean }>({ text: '' });
  const [loadError, setLoadError] = useState('');
  const [confirm, setConfirm] = useState<Decision | undefined>();
  const [batch, setBatch] = useState<{ text: string; done: number; total: number } | undefined>();
  const [batchNote, setBatchNote] = useState('');
  const [now, setNow] = useState(Date.now());
  const etag = useRef<string | null>(null);
  // The strings of the current language for timers that outlive a render (a new `t` every render).
  const tRef = useRef(t);
  tRef.current = t;

  const decisionLabel = (d: Decision) => t(`decision.${d}`);
  const mark = (id: string, m: Marked | undefined) =>
    setMarks((prev) => {
      const next = new Map(prev);
      if (m) next.set(id, m);
      else next.delete(id);
      return next;
    });

  /** A full refresh: the queue as the server has it, sorted and filtered; decided rows go. */
  const refresh = useCallback(async () => {
    try {
      const { items, etag: tag } = await fetchQueue();
      etag.current = tag;
      setAll(items);
      setRows(freshRows(items, filterRef.current, sortRef.current, Date.now()));
      setMarks((prev) => new Map([...prev].filter(([id]) => undo.current.has(id))));
      setSelected(
        (prev) => new Set([...prev].filter((id) => items.some((i) => i.shipmentId === id))),
      );
      setLoadError('');
    } catch (err) {
      setLoadError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  // The latest filter and sort for callbacks that outlive a render (polling, refresh).
  const filterRef = useRef(filter);
  const sortRef = useRef(sort);
  filterRef.current = filter;
  sortRef.current = sort;

  const send = useCallback(
    async (id: string, held: Held) => {
      mark(id, { decision: held.decision, phase: 'sending' });
      const label = t(`decision.${held.decision}`);
      try {
        const result = await must(
          api.POST('/v1/shipments/{id}/review', {
            params: { path: { id } },
            body: {
              decision: held.decision,
              reviewer: session.reviewer,
              round: held.round,
              note: held.note || undefined,
            },
          }),
        );
        mark(id, { decision: held.decision, phase: 'taken' });
        setStatus({
          text: t('status.taken', {
            id,
            decision: label,
            stage: terms(`stage.${result.stage}`),
          }),
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        mark(id, { decision: held.decision, phase: 'failed', message });
        setStatus({ text: t('status.failed', { id, message }), error: true });
      }
    },
    [session.reviewer, t, terms],
  );

  // The queue outlives renders; it sends through the latest `send` (language, reviewer).
  const sendRef = useRef(send);
  sendRef.current = send;
  const undo = useRef(new UndoQueue<Held>(UNDO_MS, (id, held) => void sendRef.current(id, held)));
  // Leaving the page sends what is held: the reviewer meant those decisions.
  useEffect(() => () => undo.current.flush(), []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Live updates: new reviews are added at the end, rows that left are marked, nothing moves.
  useEffect(() => {
    const timer = setInterval(() => {
      void (async () => {
        try {
          const first = await api.GET('/v1/reviews', {
            params: { query: { limit: 200 } },
            headers: etag.current ? { 'If-None-Match': etag.current } : {},
          });
          if (first.response.status === 304) return;
          const page = await must(Promise.resolve(first));
          // One page is the whole queue unless it says there is more.
          const { items, etag: tag } = page.nextCursor
            ? await fetchQueue()
            : { items: page.items, etag: first.response.headers.get('ETag') };
          etag.current = tag;
          setAll(items);
          setRows((prev) => {
            const merged = mergeLive(prev, applyFilter(items, filterRef.current, Date.now()));
            const added = merged.length - prev.length;
            if (added > 0) setStatus({ text: tRef.current('status.newReviews', { count: added }) });
            return merged;
          });
        } catch {
          // A failed poll is tried again at the next tick; the page keeps what it shows.
        }
      })();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, []);

  // The SLA countdowns.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const applyView = (f: QueueFilter, s: SortKey) => {
    setFilter(f);
    setSort(s);
    if (all) setRows(freshRows(all, f, s, Date.now()));
    setCurrent(0);
  };

  const storeViews = (v: SavedView[]) => {
    setViews(v);
    localStorage.setItem(VIEWS_ITEM, JSON.stringify(v));
  };

  const openRows = (list: QueueRow<Review>[]) =>
    list.filter((r) => r.mark !== 'gone' && !marks.has(r.item.shipmentId));

  const focusRow = (index: number) => {
    setCurrent(index);
    const id = rows[index]?.item.shipmentId;
    if (id) document.querySelector<HTMLElement>(`tr[data-shipment="${CSS.escape(id)}"]`)?.focus();
  };

  /** Holds a decision for the undo window, marks the row and moves on to the next open row. */
  const decide = (row: QueueRow<Review>, decision: Decision) => {
    if (!canDecide || row.mark === 'gone') return;
    const id = row.item.shipmentId;
    const m = marks.get(id);
    if (m && m.phase !== 'failed') return;
    undo.current.schedule(id, {
      decision,
      round: row.item.round,
      note: notes.get(id)?.trim(),
    });
    mark(id, { decision, phase: 'held' });
    setStatus({
      text: t('status.held', { id, decision: decisionLabel(decision), seconds: UNDO_MS / 1000 }),
    });
    const index = rows.indexOf(row);
    const next = rows.findIndex(
      (r, i) =>
        i > index && r.mark !== 'gone' && !marks.has(r.item.shipmentId) && r.item.shipmentId !== id,
    );
    if (next >= 0) focusRow(next);
  };

  const takeBack = (id: string) => {
    const held = undo.current.undo(id);
    if (!held) return;
    mark(id, undefined);
    setStatus({ text: t('status.undone', { id, decision: decisionLabel(held.decision) }) });
    const index = rows.findIndex((r) => r.item.shipmentId === id);
    if (index >= 0) focusRow(index);
  };

  const chosen = rows.filter(
    (r) => selected.has(r.item.shipmentId) && r.mark !== 'gone' && !marks.has(r.item.shipmentId),
  );

  const runBatch = async (decision: Decision) => {
    const items = chosen;
    if (items.length === 0) return;
    const label = decisionLabel(decision);
    setBatch({
      text: t('batch.sending', { decision: label, count: items.length }),
      done: 0,
      total: items.length,
    });
    const batchId = crypto.randomUUID();
    try {
      await must(
        api.POST('/v1/reviews:batch', {
          body: {
            batchId,
            decisions: items.map((r) => ({
              shipmentId: r.item.shipmentId,
              decision,
              reviewer: session.reviewer,
              round: r.item.round,
              note: batchNote.trim() || undefined,
            })),
          },
        }),
      );
      for (const r of items) mark(r.item.shipmentId, { decision, phase: 'sending' });
      let progress: Schemas['BatchProgress'];
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 800));
        try {
          progress = await must(
            api.GET('/v1/reviews:batch/{id}', { params: { path: { id: batchId } } }),
          );
        } catch (err) {
          // Not visible yet, or the progress query timed out: ask again.
          if (err instanceof ApiError && (err.status === 404 || err.status === 503)) continue;
          throw err;
        }
        setBatch({
          text: t('batch.running', {
            decision: label,
            done: progress.done,
            total: progress.total,
            failed: progress.failed,
          }),
          done: progress.done,
          total: progress.total,
        });
        if (progress.finished) break;
      }
      for (const item of progress.items) {
        mark(
          item.shipmentId,
          item.status === 'succeeded'
            ? { decision, phase: 'taken' }
            : { decision, phase: 'failed', message: item.error?.message ?? item.status },
        );
      }
      const text = t(progress.failed ? 'batch.finishedFailed' : 'batch.finished', {
        decision: label,
        succeeded: progress.succeeded,
        total: progress.total,
        failed: progress.failed,
      });
      setBatch({ text, done: progress.done, total: progress.total });
      setStatus({ text, error: progress.failed > 0 });
      setSelected(new Set());
      setBatchNote('');
    } catch (err) {
      const text = `${label}: ${err instanceof Error ? err.message : String(err)}`;
      setBatch({ text, done: 0, total: items.length });
      setStatus({ text, error: true });
    }
  };

  // The queue's keys (documented on the page); typing in a field is left alone.
  const keys = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keys.current = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || confirm || isTyping(e.target)) return;
    const row = rows[current];
    const decision = DECISIONS.find((d) => d.key === e.key.toLowerCase());
    if (e.key === 'j' || e.key === 'ArrowDown') focusRow(Math.min(rows.length - 1, current + 1));
    else if (e.key === 'k' || e.key === 'ArrowUp') focusRow(Math.max(0, current - 1));
    else if (e.key === 'x' && row) toggle(row.item.shipmentId);
    else if (e.key === 'u') {
      const last = undo.current.ids().at(-1);
      if (last) takeBack(last);
    } else if (e.key === 'g') void refresh();
    else if (e.key === 'n' && row) document.getElementById('note')?.focus();
    else if (e.key === '/') document.getElementById('search-box')?.focus();
    else if (
      (e.key === 'o' || (e.key === 'Enter' && e.target instanceof HTMLTableRowElement)) &&
      row
    )
      navigate(`/shipment/${encodeURIComponent(row.item.shipmentId)}`);
    else if (decision && e.shiftKey && canDecide) {
      if (chosen.length > 0) setConfirm(decision.value);
    } else if (decision && row && canDecide) decide(row, decision.value);
    else return;
    e.preventDefault();
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => keys.current(e);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const shown = useMemo(() => openRows(rows).length, [rows, marks]);
  const currentRow = rows[current];

  if (loadError && !all)
    return <p class="error">{t('error', { ns: 'common', message: loadError })}</p>;
  if (!all) return <p>{t('loading', { ns: 'common' })}</p>;

  return (
    <div class="queue-page">
      <h1>
        {t('title')}{' '}
        <span id="queue-count" class="muted small">
          {t('count', { shown: count(shown, locale), total: count(all.length, locale) })}
        </span>
      </h1>
      {!canDecide && <p class="notice">{t('readOnly')}</p>}

      <Filters
        items={all}
        filter={filter}
        sort={sort}
        views={views}
        carrierName={carrierName}
        onApply={applyView}
        onViews={storeViews}
      />

      <div class="toolbar" role="toolbar" aria-label={t('batch.toolbar')} id="batch-bar">
        {canDecide && (
          <>
            <span id="selected-count">{t('selected', { count: chosen.length })}</span>
            {DECISIONS.map((d) => (
              <button
                type="button"
                key={d.value}
                disabled={chosen.length === 0 || batch?.done !== batch?.total}
                onClick={() => setConfirm(d.value)}
              >
                {t('batch.button', { decision: decisionLabel(d.value) })}
              </button>
            ))}
            <label class="inline">
              <span>{t('batchNote')}</span>
              <input
                type="text"
                value={batchNote}
                maxLength={2000}
                onInput={(e) => setBatchNote(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <button type="button" id="reload" onClick={() => void refresh()}>
          {t('refresh')}
        </button>
        {batch && (
          <>
            <progress
              id="batch-progress"
              max={batch.total}
              value={batch.done}
              aria-label={t('batch.progress')}
            />
            <span id="batch-text">{batch.text}</span>
          </>
        )}
      </div>

      <p
        id="status"
        class={status.error ? 'status error' : 'status'}
        role="status"
        aria-live="polite"
      >
        {status.text}
      </p>

      <div class="queue-layout">
        <div class="queue-main">
          <table id="queue-table" class="queue">
            <caption class="muted small">{t('caption')}</caption>
            <thead>
              <tr>
                {canDecide && (
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label={t('selectAll')}
                      checked={shown > 0 && chosen.length === shown}
                      onChange={(e) =>
                        setSelected(
                          e.currentTarget.checked
                            ? new Set(openRows(rows).map((r) => r.item.shipmentId))
                            : new Set(),
                        )
                      }
                    />
                  </th>
                )}
                <th scope="col">{t('col.shipment')}</th>
                <th scope="col">{t('col.reason')}</th>
                <th scope="col">{t('col.detected')}</th>
                <th scope="col">{t('col.sla')}</th>
                <th scope="col" class="num">
                  {t('col.value')}
                </th>
                <th scope="col">{t('col.carrier')}</th>
                <th scope="col">{t('col.destination')}</th>
                {canDecide && <th scope="col">{t('col.decide')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={9}>{all.length === 0 ? t('empty') : t('emptyFiltered')}</td>
                </tr>
              )}
              {rows.map((row, index) => {
                const r = row.item;
                const m = marks.get(r.shipmentId);
                const left = (Date.parse(r.slaDeadline) - now) / 1000;
                const classes = [
                  index === current ? 'current' : '',
                  m ? `decided ${m.phase}` : '',
                  row.mark ?? '',
                ].join(' ');
                return (
                  <tr
                    key={r.shipmentId}
                    data-shipment={r.shipmentId}
                    class={classes.trim() || undefined}
                    tabIndex={index === current ? 0 : -1}
                    onFocusIn={() => setCurrent(index)}
                  >
                    {canDecide && (
                      <td data-label={t('col.select')}>
                        <input
                          type="checkbox"
                          aria-label={t('selectOne', { id: r.shipmentId })}
                          checked={selected.has(r.shipmentId)}
                          disabled={row.mark === 'gone' || (!!m && m.phase !== 'failed')}
                          onChange={() => toggle(r.shipmentId)}
                        />
                      </td>
                    )}
                    <td data-label={t('col.shipment')}>
                      <Link href={`/shipment/${encodeURIComponent(r.shipmentId)}`}>
                        {r.shipmentId}
                      </Link>
                      <div class="muted small">{r.trackingNumber}</div>
                      {row.mark === 'new' && <span class="badge new">{t('new')}</span>}
                      {row.mark === 'gone' && <span class="badge gone">{t('gone')}</span>}
                    </td>
                    <td data-label={t('col.reason')}>{terms(`reason.${r.reason}`)}</td>
                    <td data-label={t('col.detected')}>{dateTime(r.detectedAt, locale)}</td>
                    <td data-label={t('col.sla')} class={left < 0 ? 'sla over' : 'sla'}>
                      {left >= 0
                        ? t('sla.left', { time: span(left, locale) })
                        : t('sla.over', { time: span(-left, locale) })}
                    </td>
                    <td data-label={t('col.value')} class="num">
                      {money(r.declaredValue, r.currency, locale)}
                    </td>
                    <td data-label={t('col.carrier')}>{carrierName(r.carrier)}</td>
                    <td data-label={t('col.destination')}>{r.destination}</td>
                    {canDecide && (
                      <td data-label={t('col.decide')}>
                        {m && m.phase !== 'failed' ? (
                          <span class="outcome">
                            <span class="badge">
                              {t(m.phase, { decision: decisionLabel(m.decision) })}
                            </span>
                            {m.phase === 'held' && (
                              <button
                                type="button"
                                class="undo"
                                aria-label={t('undoOne', {
                                  decision: decisionLabel(m.decision),
                                  id: r.shipmentId,
                                })}
                                onClick={() => takeBack(r.shipmentId)}
                              >
                                {t('undo')}
                              </button>
                            )}
                          </span>
                        ) : (
                          row.mark !== 'gone' && (
                            <div
                              class="decide"
                              role="group"
                              aria-label={t('decideGroup', { id: r.shipmentId })}
                            >
                              {m?.phase === 'failed' && (
                                <span class="error small">
                                  {t('failed', {
                                    decision: decisionLabel(m.decision),
                                    message: m.message,
                                  })}
                                </span>
                              )}
                              {DECISIONS.map((d) => (
                                <button
                                  type="button"
                                  key={d.value}
                                  data-decision={d.value}
                                  aria-label={t('decideOne', {
                                    decision: decisionLabel(d.value),
                                    id: r.shipmentId,
                                  })}
                                  onClick={() => decide(row, d.value)}
                                >
                                  {decisionLabel(d.value)}
                                </button>
                              ))}
                            </div>
                          )
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Shortcuts canDecide={canDecide} />
        </div>
        <aside id="evidence" class="evidence" aria-label={t('evidence.title')}>
          {currentRow ? (
            <>
              <Evidence id={currentRow.item.shipmentId} />
              {canDecide && (
                <p>
                  <label for="note">{t('note', { id: currentRow.item.shipmentId })}</label>
                  <textarea
                    id="note"
                    rows={3}
                    maxLength={2000}
                    value={notes.get(currentRow.item.shipmentId) ?? ''}
                    onInput={(e) => {
                      const value = e.currentTarget.value;
                      setNotes((prev) => new Map(prev).set(currentRow.item.shipmentId, value));
                    }}
                  />
                </p>
              )}
            </>
          ) : (
            <p class="muted">{t('evidence.none')}</p>
          )}
        </aside>
      </div>

      {confirm && (
        <ConfirmDialog
          title={t('batch.confirmTitle', {
            decision: decisionLabel(confirm),
            count: chosen.length,
          })}
          text={t('batch.confirmText', { decision: decisionLabel(confirm), count: chosen.length })}
          confirm={t('batch.confirm', { decision: decisionLabel(confirm), count: chosen.length })}
          cancel={t('batch.cancel')}
          onClose={(ok) => {
            const decision = confirm;
            setConfirm(undefined);
            if (ok) void runBatch(decision);
          }}
        />
      )}
    </div>
  );
}

function Shortcuts({ canDecide }: { canDecide: boolean }) {
  const { t } = useT('queue');
  const list: [string[], string][] = [
    [['j', '↓'], t('shortcuts.next')],
    [['k', '↑'], t('shortcuts.previous')],
    [['o', 'Enter'], t('shortcuts.open')],
    [['g'], t('shortcuts.refresh')],
    [['/'], t('shortcuts.search')],
  ];
  if (canDecide)
    list.push(
      [['x'], t('shortcuts.select')],
      [['r', 'f', 'w', 'd'], t('shortcuts.decide')],
      [['u'], t('shortcuts.undo')],
      [['Shift+R', 'Shift+F', 'Shift+W', 'Shift+D'], t('shortcuts.batch')],
      [['n'], t('shortcuts.note')],
    );
  return (
    <details class="shortcuts">
      <summary>{t('shortcuts.title')}</summary>
      <dl class="facts">
        {list.map(([keys, what]) => (
          <>
            <dt>
              {keys.map((k, i) => (
                <>
                  {i > 0 && ' '}
                  <kbd>{k}</kbd>
                </>
              ))}
            </dt>
            <dd>{what}</dd>
          </>
        ))}
      </dl>
      <p class="small">{t('shortcuts.tab')}</p>
    </details>
  );
}
