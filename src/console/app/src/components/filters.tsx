import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n';
import {
  choices,
  deleteView,
  saveView,
  SORT_KEYS,
  type QueueFields,
  type QueueFilter,
  type SavedView,
  type SortKey,
} from '../lib/queue';

const number = (s: string) => (s.trim() === '' || Number.isNaN(Number(s)) ? undefined : Number(s));

/** The queue's filters, sort and saved views (kept in this browser's localStorage). */
export function Filters(props: {
  items: QueueFields[];
  filter: QueueFilter;
  sort: SortKey;
  views: SavedView[];
  carrierName: (code: string) => string;
  onApply: (filter: QueueFilter, sort: SortKey) => void;
  onViews: (views: SavedView[]) => void;
}) {
  const { t } = useT('queue');
  const terms = useT('terms').t;
  const { filter, sort } = props;
  const [viewName, setViewName] = useState('');
  const [view, setView] = useState('');
  // The number fields as typed (an unfinished "1." must not be rewritten under the cursor).
  const [typed, setTyped] = useState({ min: '', max: '', sla: '' });
  useEffect(() => {
    setTyped({
      min: filter.minValue?.toString() ?? '',
      max: filter.maxValue?.toString() ?? '',
      sla: filter.slaWithinMinutes?.toString() ?? '',
    });
  }, [filter.minValue, filter.maxValue, filter.slaWithinMinutes]);

  const set = (patch: Partial<QueueFilter>) => props.onApply({ ...filter, ...patch }, sort);
  const select = (
    id: string,
    label: string,
    value: string | undefined,
    options: [string, string][],
    onChange: (v: string | undefined) => void,
  ) => (
    <label for={id}>
      <span>{label}</span>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.currentTarget.value || undefined)}
      >
        <option value="">{t('filters.any')}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <details class="filters" open>
      <summary>{t('filters.title')}</summary>
      <div class="filter-grid">
        {select(
          'filter-reason',
          t('filters.reason'),
          filter.reason,
          choices(props.items, 'reason').map((r) => [r, terms(`reason.${r}`)]),
          (reason) => set({ reason }),
        )}
        {select(
          'filter-carrier',
          t('filters.carrier'),
          filter.carrier,
          choices(props.items, 'carrier').map((c) => [c, props.carrierName(c)]),
          (carrier) => set({ carrier }),
        )}
        {select(
          'filter-lane',
          t('filters.lane'),
          filter.lane,
          choices(props.items, 'destination').map((d) => [d, d]),
          (lane) => set({ lane }),
        )}
        <label for="filter-min">
          <span>{t('filters.minValue')}</span>
          <input
            id="filter-min"
            type="number"
            inputMode="decimal"
            min={0}
            value={typed.min}
            onInput={(e) => {
              const v = e.currentTarget.value;
              setTyped((p) => ({ ...p, min: v }));
              set({ minValue: number(v) });
            }}
          />
        </label>
        <label for="filter-max">
          <span>{t('filters.maxValue')}</span>
          <input
            id="filter-max"
            type="number"
            inputMode="decimal"
            min={0}
            value={typed.max}
            onInput={(e) => {
              const v = e.currentTarget.value;
              setTyped((p) => ({ ...p, max: v }));
              set({ maxValue: number(v) });
            }}
          />
        </label>
        <label for="filter-sla">
          <span>{t('filters.sla')}</span>
          <input
            id="filter-sla"
            type="number"
            inputMode="numeric"
            min={0}
            value={typed.sla}
            onInput={(e) => {
              const v = e.currentTarget.value;
              setTyped((p) => ({ ...p, sla: v }));
              set({ slaWithinMinutes: number(v) });
            }}
          />
        </label>
        <label for="filter-sort">
          <span>{t('filters.sort')}</span>
          <select
            id="filter-sort"
            value={sort}
            onChange={(e) => props.onApply(filter, e.currentTarget.value as SortKey)}
          >
            {SORT_KEYS.map((k) => (
              <option key={k} value={k}>
                {t(`sort.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <div class="filter-actions">
          <button type="button" onClick={() => props.onApply({}, 'oldest')}>
            {t('filters.clear')}
          </button>
        </div>
      </div>
      <div class="filter-grid views">
        <label for="view-pick">
          <span>{t('filters.view')}</span>
          <select
            id="view-pick"
            value={view}
            onChange={(e) => {
              const name = e.currentTarget.value;
              setView(name);
              const v = props.views.find((x) => x.name === name);
              if (v) props.onApply(v.filter, v.sort);
            }}
          >
            <option value="">{t('filters.noView')}</option>
            {props.views.map((v) => (
              <option key={v.name} value={v.name}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!view}
          onClick={() => {
            props.onViews(deleteView(props.views, view));
            setView('');
          }}
        >
          {t('filters.delete')}
        </button>
        <label for="view-name">
          <span>{t('filters.viewName')}</span>
          <input
            id="view-name"
            type="text"
            value={viewName}
            maxLength={80}
            onInput={(e) => setViewName(e.currentTarget.value)}
          />
        </label>
        <button
          type="button"
          disabled={!viewName.trim()}
          onClick={() => {
            props.onViews(saveView(props.views, { name: viewName, filter, sort }));
            setView(viewName.trim());
            setViewName('');
          }}
        >
          {t('filters.save')}
        </button>
      </div>
    </details>
  );
}
