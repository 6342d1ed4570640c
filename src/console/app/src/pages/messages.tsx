import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, must, type Schemas } from '../api/client';
import { useT } from '../i18n';
import { count, dateTime } from '../lib/format';

type Message = Schemas['MessagePage']['items'][number];

/** Customer messages the outbox keeps failing to send (GET /v1/messages?status=failing). */
export function MessagesPage() {
  const { t, locale } = useT('messages');
  const [items, setItems] = useState<Message[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');

  const load = async (after: string | undefined) => {
    try {
      const page = await must(
        api.GET('/v1/messages', {
          params: { query: { status: 'failing', limit: 50, cursor: after } },
        }),
      );
      setItems((prev) => [...(after ? (prev ?? []) : []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  useEffect(() => {
    void load(undefined);
  }, []);

  return (
    <section aria-labelledby="messages-title">
      <h1 id="messages-title">{t('title')}</h1>
      {error && <p class="error">{error}</p>}
      {!items && !error && <p>{t('loading', { ns: 'common' })}</p>}
      {items && (
        <div class="scroll">
          <table>
            <caption>{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('col.shipment')}</th>
                <th scope="col">{t('col.kind')}</th>
                <th scope="col">{t('col.to')}</th>
                <th scope="col" class="num">
                  {t('col.attempts')}
                </th>
                <th scope="col">{t('col.error')}</th>
                <th scope="col">{t('col.next')}</th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 && (
                <tr>
                  <td colSpan={6}>{t('none')}</td>
                </tr>
              )}
              {items.map((m) => (
                <tr key={m.id}>
                  <td data-label={t('col.shipment')}>
                    {m.shipmentId ? (
                      <Link href={`/shipment/${encodeURIComponent(m.shipmentId)}`}>
                        {m.shipmentId}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label={t('col.kind')}>{m.kind}</td>
                  <td data-label={t('col.to')}>{m.to}</td>
                  <td data-label={t('col.attempts')} class="num">
                    {count(m.attempts, locale)}
                  </td>
                  <td data-label={t('col.error')}>{m.lastError ?? '—'}</td>
                  <td data-label={t('col.next')}>{dateTime(m.nextAttemptAt, locale)}</td>
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
