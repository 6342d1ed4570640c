import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, must, type Schemas } from '../api/client';
import { useCarrierNames } from '../components/carriers';
import { useT } from '../i18n';
import { count, dateTime, money } from '../lib/format';
import './shipment.css';

type Shipment = Schemas['Shipment'];
type History = Schemas['ShipmentHistory'];

/** `/v1/claims/7` → `7`: the API's links end with the id the console's own route takes. */
const lastSegment = (href: string) => decodeURIComponent(href.split('/').pop() ?? '');

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The codec session cookie is SameSite=Strict: the Temporal UI only sends it on the same site as
 * this API, so a loopback UI is opened under the console's own host name.
 */
function sameSiteUiUrl(url: string): string {
  const ui = new URL(url, window.location.href);
  if (LOOPBACK.has(ui.hostname) && LOOPBACK.has(window.location.hostname))
    ui.hostname = window.location.hostname;
  return ui.href;
}

/** One shipment: its facts, timeline and workflow history, with the way into the Temporal UI. */
export function ShipmentPage({ params }: { params: Record<string, string | undefined> }) {
  const id = decodeURIComponent(params.id ?? '');
  const { t, locale } = useT('shipment');
  const terms = useT('terms').t;
  const decisions = useT('queue').t;
  const carrierName = useCarrierNames();
  const [shipment, setShipment] = useState<Shipment | undefined>();
  const [history, setHistory] = useState<History | undefined>();
  const [error, setError] = useState('');
  const [note, setNote] = useState<{ text: string; error?: boolean } | undefined>();

  useEffect(() => {
    setShipment(undefined);
    setHistory(undefined);
    must(api.GET('/v1/shipments/{id}', { params: { path: { id } } })).then(
      setShipment,
      (e: Error) => setError(e.message),
    );
    must(api.GET('/v1/shipments/{id}/history', { params: { path: { id } } })).then(
      setHistory,
      (e: Error) => setNote({ text: e.message, error: true }),
    );
    document.getElementById('main')?.focus();
  }, [id]);

  /** A codec session cookie for /codec first, then the UI in a tab opened during the click. */
  const openDecoded = async (url: string) => {
    const tab = window.open('', '_blank');
    try {
      await must(api.POST('/codec/session'));
    } catch (err) {
      tab?.close();
      setNote({ text: err instanceof Error ? err.message : String(err), error: true });
      return;
    }
    if (!tab) {
      setNote({ text: t('popupBlocked'), error: true });
      return;
    }
    tab.opener = null;
    tab.location.href = sameSiteUiUrl(url);
    setNote({ text: t('decodedOpen') });
  };

  if (error) return <p class="error">{error}</p>;
  if (!shipment) return <p>{t('loading', { ns: 'common' })}</p>;
  const s = shipment;
  return (
    <section aria-labelledby="shipment-title">
      <h1 id="shipment-title">{t('title', { id: s.shipmentId })}</h1>
      <p class="links">
        <Link href="/queue">{t('back')}</Link>
        {history && (
          <>
            <a href={history.temporalUiUrl} rel="noopener" target="_blank" id="temporal-link">
              {t('temporal')}
            </a>
            <button type="button" onClick={() => void openDecoded(history.temporalUiUrl)}>
              {t('decoded')}
            </button>
          </>
        )}
      </p>
      {note && (
        <p class={note.error ? 'error' : 'status'} role="status">
          {note.text}
        </p>
      )}
      <dl class="facts">
        <dt>{t('facts.stage')}</dt>
        <dd>{terms(`stage.${s.stage}`)}</dd>
        <dt>{t('facts.order')}</dt>
        <dd>{s.shop?.orderName ?? s.orderId}</dd>
        <dt>{t('facts.carrier')}</dt>
        <dd>
          {carrierName(s.carrier)} {s.trackingNumber}
        </dd>
        <dt>{t('facts.destination')}</dt>
        <dd>{s.destination}</dd>
        <dt>{t('facts.value')}</dt>
        <dd>{money(s.declaredValue, s.currency, locale)}</dd>
        <dt>{t('facts.registered')}</dt>
        <dd>{dateTime(s.registeredAt, locale)}</dd>
        <dt>{t('facts.expected')}</dt>
        <dd>
          {s.expectedDeliveryAt ? dateTime(s.expectedDeliveryAt, locale) : t('facts.noEstimate')}
        </dd>
        {Object.entries(s.deadlines).map(([clock, at]) => (
          <Fragment key={clock}>
            <dt>{t(`clock.${clock}`)}</dt>
            <dd>
              <time dateTime={at}>{dateTime(at, locale)}</time>
            </dd>
          </Fragment>
        ))}
        <dt>{t('facts.customer')}</dt>
        <dd>
          {s.customer.name} <a href={`mailto:${s.customer.email}`}>{s.customer.email}</a>
        </dd>
        <dt>{t('facts.address')}</dt>
        <dd>
          <address>
            {[
              s.address.name,
              s.address.line1,
              s.address.line2,
              [s.address.postalCode, s.address.city, s.address.region].filter(Boolean).join(' '),
              s.address.country,
            ]
              .filter(Boolean)
              .map((line, i) => (
                <span key={i} class="line">
                  {line}
                </span>
              ))}
          </address>
        </dd>
        {s.review && (
          <>
            <dt>{t('facts.review')}</dt>
            <dd>
              {t('facts.reviewText', {
                decision: decisions(`decision.${s.review.decision}`),
                reviewer: s.review.reviewer,
                at: dateTime(s.review.decidedAt, locale),
              })}
            </dd>
            {s.review.note && (
              <>
                <dt>{t('facts.note')}</dt>
                <dd>{s.review.note}</dd>
              </>
            )}
          </>
        )}
      </dl>
      <nav aria-label={t('related')} class="links related">
        {s.links.original && (
          <Link
            href={`/shipment/${encodeURIComponent(lastSegment(s.links.original))}`}
            id="link-original"
          >
            {t('link.original', { id: lastSegment(s.links.original) })}
          </Link>
        )}
        {s.links.replacement && (
          <Link
            href={`/shipment/${encodeURIComponent(lastSegment(s.links.replacement))}`}
            id="link-replacement"
          >
            {t('link.replacement', { id: lastSegment(s.links.replacement) })}
          </Link>
        )}
        {s.links.claim && (
          <Link href={`/claim/${encodeURIComponent(lastSegment(s.links.claim))}`} id="link-claim">
            {t('link.claim', { id: lastSegment(s.links.claim) })}
            {s.claim?.carrierClaimNumber &&
              ` (${t('link.carrierNumber', { number: s.claim.carrierClaimNumber })})`}
          </Link>
        )}
      </nav>
      <h2>{t('items')}</h2>
      <div class="scroll">
        <table>
          <caption>{t('itemsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('col.title')}</th>
              <th scope="col">{t('col.sku')}</th>
              <th scope="col">{t('col.qty')}</th>
              <th scope="col">{t('col.price')}</th>
            </tr>
          </thead>
          <tbody>
            {s.items.map((item, i) => (
              <tr key={i}>
                <td data-label={t('col.title')}>{item.title ?? '—'}</td>
                <td data-label={t('col.sku')}>{item.sku}</td>
                <td data-label={t('col.qty')}>{count(item.quantity, locale)}</td>
                <td data-label={t('col.price')}>{money(item.unitPrice, s.currency, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {s.suspicion && (
        <>
          <h2>{t('evidence')}</h2>
          <dl class="facts">
            <dt>{t('facts.suspicion')}</dt>
            <dd>
              {terms(`reason.${s.suspicion.reason}`)} · {dateTime(s.suspicion.detectedAt, locale)}
            </dd>
            {s.suspicion.detail && (
              <>
                <dt>{t('facts.detail')}</dt>
                <dd>{s.suspicion.detail}</dd>
              </>
            )}
            {s.verification && (
              <>
                <dt>{t('facts.verification')}</dt>
                <dd>
                  {s.verification.detail} · {dateTime(s.verification.at, locale)}
                </dd>
              </>
            )}
          </dl>
          {s.suspicion.evidence && <EvidenceView evidence={s.suspicion.evidence} />}
        </>
      )}
      <h2>{t('timeline')}</h2>
      <div class="scroll">
        <table>
          <caption>{t('timelineCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('col.when')}</th>
              <th scope="col">{t('col.what')}</th>
              <th scope="col">{t('col.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {s.timeline.length === 0 && (
              <tr>
                <td colSpan={3}>{t('empty')}</td>
              </tr>
            )}
            {s.timeline.map((e, i) => (
              <tr key={i}>
                <td data-label={t('col.when')}>
                  <time dateTime={e.at}>{dateTime(e.at, locale)}</time>
                </td>
                <td data-label={t('col.what')}>
                  {e.kind === 'stage'
                    ? t('stageTo', {
                        stage: terms(`stage.${e.detail}`, { defaultValue: e.detail }),
                      })
                    : t(`kind.${e.kind}`, { defaultValue: e.label })}
                </td>
                <td data-label={t('col.detail')}>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t('history')}</h2>
      {history && (
        <div class="scroll">
          <table>
            <caption>{t('historyCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('col.when')}</th>
                <th scope="col">{t('col.what')}</th>
                <th scope="col">{t('col.who')}</th>
              </tr>
            </thead>
            <tbody>
              {history.entries.map((e) => (
                <tr key={`${e.runId}-${e.eventId}`}>
                  <td data-label={t('col.when')}>
                    <time dateTime={e.at}>{dateTime(e.at, locale)}</time>
                  </td>
                  <td data-label={t('col.what')}>{e.summary}</td>
                  <td data-label={t('col.who')}>{e.actor ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type Evidence = NonNullable<NonNullable<Shipment['suspicion']>['evidence']>;

/** What the suspicion rests on: the carrier's proof of delivery, the inquiries, failed attempts. */
function EvidenceView({ evidence }: { evidence: Evidence }) {
  const { t, locale } = useT('shipment');
  const pod = evidence.proofOfDelivery;
  return (
    <dl class="facts" id="evidence">
      {pod === null && (
        <>
          <dt>{t('facts.proof')}</dt>
          <dd>{t('facts.noProof')}</dd>
        </>
      )}
      {pod && (
        <>
          <dt>{t('facts.proof')}</dt>
          <dd>
            {dateTime(pod.deliveredAt, locale)}
            {pod.signedBy && ` · ${t('facts.signedBy', { name: pod.signedBy })}`}
            {pod.note && ` · ${pod.note}`}
            {pod.photoUrl && (
              <>
                {' · '}
                <a href={pod.photoUrl} rel="noopener noreferrer" target="_blank">
                  {t('facts.photo')}
                </a>
              </>
            )}
          </dd>
        </>
      )}
      {evidence.inquiryIds && evidence.inquiryIds.length > 0 && (
        <>
          <dt>{t('facts.inquiries')}</dt>
          <dd>{count(evidence.inquiryIds.length, locale)}</dd>
        </>
      )}
      {evidence.failedAttempts !== undefined && (
        <>
          <dt>{t('facts.failedAttempts')}</dt>
          <dd>{count(evidence.failedAttempts, locale)}</dd>
        </>
      )}
    </dl>
  );
}
