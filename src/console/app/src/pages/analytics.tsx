import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useT } from '../i18n';
import { count } from '../lib/format';
import { useSession } from '../session';
import { ShareChart, type Bar } from './analytics.chart';
import { download } from './claim.download';
import './analytics.css';

type Table = Schemas['AnalyticsTable'];
const TABLES = ['carriers', 'lanes', 'months'] as const;
type TableName = (typeof TABLES)[number];
const RATES = ['lossRate', 'delayRate', 'flaggedRate'] as const;
type Rate = (typeof RATES)[number];

interface Filters {
  from?: string;
  to?: string;
  carrier?: string;
  origin?: string;
  destination?: string;
}

const rowLabel = (table: TableName, r: Record<string, unknown>) =>
  table === 'carriers'
    ? String(r.carrier)
    : table === 'lanes'
      ? `${String(r.origin)} → ${String(r.destination)}`
      : String(r.month);

/** The filters as query parameters, leaving out the empty ones. */
const query = (f: Filters) =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) as Filters;

/** Delivery figures as charts, filtered by date, carrier and lane; each bar says its n. */
export function AnalyticsPage() {
  const { t, locale } = useT('analytics');
  const session = useSession();
  const [table, setTable] = useState<TableName>('carriers');
  const [rate, setRate] = useState<Rate>('lossRate');
  const [draft, setDraft] = useState<Filters>({});
  const [filters, setFilters] = useState<Filters>({});
  const [data, setData] = useState<Table | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    setData(undefined);
    setError('');
    must(
      api.GET('/v1/analytics/{table}', {
        params: { path: { table }, query: query(filters) },
      }),
    ).then(
      // The route also answers CSV and SVG; asked without a format, it answers JSON.
      (d) => (typeof d === 'string' ? setError(d) : setData(d)),
      (e: Error) => setError(e.message),
    );
  }, [table, filters]);

  const bars: Bar[] = useMemo(() => {
    if (!data) return [];
    const nColumn = data.rateSamples[rate] ?? 'shipments';
    return (data.items as Record<string, unknown>[]).map((r) => ({
      label: rowLabel(table, r),
      value: typeof r[rate] === 'number' ? r[rate] : null,
      n: typeof r[nColumn] === 'number' ? r[nColumn] : 0,
    }));
  }, [data, rate, table]);

  const set = (k: keyof Filters) => (e: Event) =>
    setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  const upper = (k: 'origin' | 'destination') => (e: Event) =>
    setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value.toUpperCase() });

  /** The lists' own filters from the page's: their dates are date-times, the analytics' days. */
  const exportHref = (list: 'shipments' | 'reviews' | 'claims') => {
    const f = query(filters);
    const p = new URLSearchParams();
    if (f.carrier) p.set('carrier', f.carrier);
    if (list !== 'claims' && f.destination) p.set('destination', f.destination);
    if (list === 'shipments') {
      if (f.from) p.set('from', `${f.from}T00:00:00Z`);
      if (f.to) p.set('to', `${f.to}T00:00:00Z`);
    }
    return `/v1/${list}.csv?${p.toString()}`;
  };
  const exportCsv = (href: string, name: string) =>
    void download(href, session.key, name).catch((e: Error) => setError(e.message));

  const title = t('chartTitle', { rate: t(`rate.${rate}`), by: t(`table.${table}`) });

  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">{t('title')}</h1>
      <form
        class="analytics-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(query(draft));
        }}
      >
        <label>
          {t('filter.from')}
          <input id="f-from" type="date" value={draft.from ?? ''} onInput={set('from')} />
        </label>
        <label>
          {t('filter.to')}
          <input id="f-to" type="date" value={draft.to ?? ''} onInput={set('to')} />
        </label>
        <label>
          {t('filter.carrier')}
          <input id="f-carrier" value={draft.carrier ?? ''} onInput={set('carrier')} />
        </label>
        <label>
          {t('filter.origin')}
          <input
            id="f-origin"
            maxLength={2}
            placeholder="CN"
            value={draft.origin ?? ''}
            onInput={upper('origin')}
          />
        </label>
        <label>
          {t('filter.destination')}
          <input
            id="f-destination"
            maxLength={2}
            placeholder="US"
            value={draft.destination ?? ''}
            onInput={upper('destination')}
          />
        </label>
        <button type="submit" class="primary">
          {t('filter.apply')}
        </button>
      </form>
      <div class="analytics-filters" role="group" aria-label={t('view')}>
        <label>
          {t('by')}
          <select
            id="a-table"
            value={table}
            onChange={(e) => setTable((e.target as HTMLSelectElement).value as TableName)}
          >
            {TABLES.map((name) => (
              <option key={name} value={name}>
                {t(`table.${name}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('measure')}
          <select
            id="a-rate"
            value={rate}
            onChange={(e) => setRate((e.target as HTMLSelectElement).value as Rate)}
          >
            {RATES.map((r) => (
              <option key={r} value={r}>
                {t(`rate.${r}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <p class="error">{error}</p>}
      {!data && !error && <p>{t('loading', { ns: 'common' })}</p>}
      {data && (
        <>
          <h2>{title}</h2>
          <p id="sample-size">{t('sample', { n: count(data.sampleSize, locale) })}</p>
          {bars.length === 0 ? (
            <p>{t('empty')}</p>
          ) : (
            <>
              <ShareChart bars={bars} title={title} locale={locale} />
              <div class="scroll">
                <table id="analytics-table">
                  <caption>{title}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t(`table.${table}`)}</th>
                      <th scope="col">{t(`rate.${rate}`)}</th>
                      <th scope="col">n</th>
                    </tr>
                  </thead>
                  <tbody>
                    {bars.map((b) => (
                      <tr key={b.label}>
                        <td data-label={t(`table.${table}`)}>{b.label}</td>
                        <td data-label={t(`rate.${rate}`)}>
                          {b.value === null
                            ? '—'
                            : new Intl.NumberFormat(locale, {
                                style: 'percent',
                                maximumFractionDigits: 1,
                              }).format(b.value)}
                        </td>
                        <td data-label="n">{count(b.n, locale)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
      <h2>{t('exports')}</h2>
      <p class="muted">{t('exportsHint')}</p>
      <div class="exports">
        {(['shipments', 'reviews', 'claims'] as const).map((list) => (
          <button
            key={list}
            type="button"
            id={`export-${list}`}
            onClick={() => exportCsv(exportHref(list), `${list}.csv`)}
          >
            {t(`export.${list}`)}
          </button>
        ))}
        <button
          type="button"
          id="export-table"
          onClick={() =>
            exportCsv(
              `/v1/analytics/${table}?${new URLSearchParams({ ...query(filters), format: 'csv' }).toString()}`,
              `${table}.csv`,
            )
          }
        >
          {t('export.table', { table: t(`table.${table}`) })}
        </button>
      </div>
    </section>
  );
}
