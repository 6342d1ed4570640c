import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, must, type Schemas } from '../api/client';
import { useT } from '../i18n';
import { dateTime, money } from '../lib/format';
import { useSession } from '../session';
import { download } from './claim.download';
import './claim.css';

type ClaimSummary = Schemas['ClaimSummary'];
const STATUSES = [
  'pending_eligibility',
  'filed',
  'needs_info',
  'approved',
  'partially_approved',
  'denied',
  'paid',
  'expired',
] as const;
type Status = (typeof STATUSES)[number];

/** Claims, newest first, filtered by status and carrier; the same filters export as CSV. */
export function ClaimsPage() {
  const { t, locale } = useT('claims');
  const session = useSession();
  const [status, setStatus] = useState<Status | ''>('');
  const [carrier, setCarrier] = useState('');
  const [applied, setApplied] = useState<{ status?: Status; carrier?: string }>({});
  const [items, setItems] = useState<ClaimSummary[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');

  const fetchPage = (cursor?: string) =>
    must(
      api.GET('/v1/claims', { params: { query: { ...applied, ...(cursor ? { cursor } : {}) } } }),
    );

  useEffect(() => {
    setItems(undefined);
    fetchPage().then(
      (page) => {
        setItems(page.items);
        setNext(page.nextCursor);
      },
      (e: Error) => setError(e.message),
    );
  }, [applied]);

  const csvHref = `/v1/claims.csv?${new URLSearchParams(applied as Record<string, string>).toString()}`;

  return (
    <section aria-labelledby="claims-title">
      <h1 id="claims-title">{t('listTitle')}</h1>
      <form
        class="inline-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({
            ...(status ? { status } : {}),
            ...(carrier.trim() ? { carrier: carrier.trim() } : {}),
          });
        }}
      >
        <label>
          {t('filters.status')}
          <select
            id="claims-status"
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Status | '')}
          >
            <option value="">{t('filters.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filters.carrier')}
          <input
            id="claims-carrier"
            value={carrier}
            onInput={(e) => setCarrier((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">{t('filters.apply')}</button>
        <button
          type="button"
          id="claims-csv"
          onClick={() =>
            void download(csvHref, session.key, 'claims.csv').catch((e: Error) =>
              setError(e.message),
            )
          }
        >
          {t('exportCsv')}
        </button>
      </form>
      {error && <p class="error">{error}</p>}
      {!items ? (
        <p>{t('loading', { ns: 'common' })}</p>
      ) : (
        <div class="scroll">
          <table>
            <caption>{t('listTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('col.claim')}</th>
                <th scope="col">{t('facts.carrierNumber')}</th>
                <th scope="col">{t('col.status')}</th>
                <th scope="col">{t('col.amount')}</th>
                <th scope="col">{t('deadline.windowClosesAt')}</th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 && (
                <tr>
                  <td colSpan={5}>{t('none')}</td>
                </tr>
              )}
              {items.map((c) => (
                <tr key={c.id}>
                  <td data-label={t('col.claim')}>
                    <Link href={`/claim/${c.id}`}>{t('title', { id: c.id })}</Link>
                  </td>
                  <td data-label={t('facts.carrierNumber')}>
                    {c.externalClaimId ?? t('facts.notFiled')}
                  </td>
                  <td data-label={t('col.status')}>
                    {t(`status.${c.status}`, { defaultValue: c.status })}
                  </td>
                  <td data-label={t('col.amount')}>
                    {money(c.amounts.claimed, c.amounts.currency, locale)}
                  </td>
                  <td data-label={t('deadline.windowClosesAt')}>
                    {dateTime(c.deadlines.windowClosesAt, locale)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button
          type="button"
          onClick={() =>
            void fetchPage(next).then((page) => {
              setItems((prev) => [...(prev ?? []), ...page.items]);
              setNext(page.nextCursor);
            })
          }
        >
          {t('more')}
        </button>
      )}
    </section>
  );
}
