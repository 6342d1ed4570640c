import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, must, type Schemas } from '../api/client';
import { useCarrierNames } from '../components/carriers';
import { useT } from '../i18n';
import { dateTime, money } from '../lib/format';

type Hit = Schemas['ShipmentPage']['items'][number];

/** GET /v1/shipments?q= : order number, tracking number, id, e-mail or customer name. */
export function SearchPage({ params }: { params: Record<string, string | undefined> }) {
  const { t, locale } = useT('search');
  const terms = useT('terms').t;
  const carrierName = useCarrierNames();
  const q = params.q ? decodeURIComponent(params.q) : '';
  const [hits, setHits] = useState<Hit[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');

  const load = async (after: string | undefined) => {
    try {
      const page = await must(
        api.GET('/v1/shipments', { params: { query: { q, limit: 50, cursor: after } } }),
      );
      setHits((prev) => [...(after ? (prev ?? []) : []), ...page.items]);
      setCursor(page.nextCursor);
      setError('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  useEffect(() => {
    setHits(undefined);
    if (q) void load(undefined);
  }, [q]);

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">{t('title')}</h1>
      <p class="muted">{t('hint')}</p>
      {error && <p class="error">{error}</p>}
      {q && !hits && !error && <p>{t('loading', { ns: 'common' })}</p>}
      {hits && (
        <div class="scroll">
          <table id="search-results">
            <caption>{t('results', { q })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('col.shipment')}</th>
                <th scope="col">{t('col.order')}</th>
                <th scope="col">{t('col.customer')}</th>
                <th scope="col">{t('col.stage')}</th>
                <th scope="col">{t('col.carrier')}</th>
                <th scope="col" class="num">
                  {t('col.value')}
                </th>
                <th scope="col">{t('col.created')}</th>
              </tr>
            </thead>
            <tbody>
              {hits.length === 0 && (
                <tr>
                  <td colSpan={7}>{t('none', { q })}</td>
                </tr>
              )}
              {hits.map((s) => (
                <tr key={s.shipmentId} data-shipment={s.shipmentId}>
                  <td data-label={t('col.shipment')}>
                    <Link href={`/shipment/${encodeURIComponent(s.shipmentId)}`}>
                      {s.shipmentId}
                    </Link>
                    <div class="muted small">{s.trackingNumber}</div>
                  </td>
                  <td data-label={t('col.order')}>{s.shop?.orderName ?? s.orderId}</td>
                  <td data-label={t('col.customer')}>{s.customerName}</td>
                  <td data-label={t('col.stage')}>{terms(`stage.${s.stage}`)}</td>
                  <td data-label={t('col.carrier')}>{carrierName(s.carrier)}</td>
                  <td data-label={t('col.value')} class="num">
                    {money(s.declaredValue, s.currency, locale)}
                  </td>
                  <td data-label={t('col.created')}>{dateTime(s.createdAt, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          {t('more')}
        </button>
      )}
    </section>
  );
}
