import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, must, type Schemas } from '../api/client';
import { useT } from '../i18n';
import { dateTime } from '../lib/format';

type Shipment = Schemas['Shipment'];
const cache = new Map<string, Promise<Shipment>>();

/** The current review's shipment beside the queue: stage, last scan and latest timeline. */
export function Evidence({ id }: { id: string }) {
  const { t, locale } = useT('queue');
  const terms = useT('terms').t;
  const [shipment, setShipment] = useState<Shipment | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    let current = true;
    setShipment(undefined);
    setError('');
    if (!cache.has(id))
      cache.set(id, must(api.GET('/v1/shipments/{id}', { params: { path: { id } } })));
    cache.get(id)!.then(
      (s) => current && setShipment(s),
      (err: unknown) => {
        cache.delete(id);
        if (current) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      current = false;
    };
  }, [id]);

  return (
    <section aria-labelledby="evidence-title">
      <h2 id="evidence-title">{t('evidence.for', { id })}</h2>
      {error && <p class="error">{error}</p>}
      {!shipment && !error && <p class="muted">{t('loading', { ns: 'common' })}</p>}
      {shipment && (
        <>
          <dl class="facts">
            <dt>{t('evidence.stage')}</dt>
            <dd>{terms(`stage.${shipment.stage}`)}</dd>
            <dt>{t('evidence.order')}</dt>
            <dd>{shipment.shop?.orderName ?? shipment.orderId}</dd>
            <dt>{t('evidence.tracking')}</dt>
            <dd>{shipment.trackingNumber}</dd>
            {shipment.lastEvent && (
              <>
                <dt>{t('evidence.lastEvent')}</dt>
                <dd>
                  {dateTime(shipment.lastEvent.occurredAt, locale)}
                  {shipment.lastEvent.description ? `: ${shipment.lastEvent.description}` : ''}
                </dd>
              </>
            )}
          </dl>
          <h3>{t('evidence.latest')}</h3>
          <ol class="small timeline">
            {shipment.timeline
              .slice(-6)
              .reverse()
              .map((e, i) => (
                <li key={i}>
                  <time dateTime={e.at}>{dateTime(e.at, locale)}</time> {e.label}
                  {e.detail ? `: ${e.detail}` : ''}
                </li>
              ))}
          </ol>
          <p>
            <Link href={`/shipment/${encodeURIComponent(id)}`}>{t('evidence.full')}</Link>
          </p>
        </>
      )}
    </section>
  );
}
