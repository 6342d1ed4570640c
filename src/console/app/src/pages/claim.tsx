import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, must, type Schemas } from '../api/client';
import { useT } from '../i18n';
import { dateTime, isoSpan, money } from '../lib/format';
import { may, useSession } from '../session';
import { download } from './claim.download';
import './claim.css';

type Claim = Schemas['Claim'];
type Outcome = Claim['actions']['recordOutcome']['statuses'][number];

/** One claim: our id apart from the carrier's number, eligibility, deadlines and what can be done. */
export function ClaimPage({ params }: { params: Record<string, string | undefined> }) {
  const id = decodeURIComponent(params.id ?? '');
  const { t, locale } = useT('claims');
  const session = useSession();
  const [claim, setClaim] = useState<Claim | undefined>();
  const [error, setError] = useState('');
  const [note, setNote] = useState<{ text: string; error?: boolean } | undefined>();

  const load = () =>
    must(api.GET('/v1/claims/{id}', { params: { path: { id } } })).then(setClaim, (e: Error) =>
      setError(e.message),
    );
  useEffect(() => {
    setClaim(undefined);
    setError('');
    void load();
    document.getElementById('main')?.focus();
  }, [id]);

  if (error) return <p class="error">{error}</p>;
  if (!claim) return <p>{t('loading', { ns: 'common' })}</p>;
  const c = claim;
  const { eligibility: el, actions } = c;

  const getFile = async (href: string, filename: string) => {
    try {
      await download(href, session.key, filename);
    } catch (err) {
      setNote({ text: err instanceof Error ? err.message : String(err), error: true });
    }
  };

  return (
    <section aria-labelledby="claim-title">
      <h1 id="claim-title">{t('title', { id: c.id })}</h1>
      <p class="links">
        <Link href={`/shipment/${encodeURIComponent(c.shipmentId)}`} id="claim-shipment">
          {t('shipment', { id: c.shipmentId })}
        </Link>
        <Link href="/claims">{t('all')}</Link>
      </p>
      {note && (
        <p class={note.error ? 'error' : 'status'} role="status">
          {note.text}
        </p>
      )}
      <dl class="facts">
        <dt>{t('facts.ourId')}</dt>
        <dd id="claim-our-id">{c.id}</dd>
        <dt>{t('facts.carrierNumber')}</dt>
        <dd id="claim-carrier-number">{c.externalClaimId ?? t('facts.notFiled')}</dd>
        <dt>{t('facts.status')}</dt>
        <dd>{t(`status.${c.status}`, { defaultValue: c.status })}</dd>
        <dt>{t('facts.filer')}</dt>
        <dd>
          {c.filer} · {c.trackingNumber}
        </dd>
        <dt>{t('facts.reason')}</dt>
        <dd>{t(`reason.${c.reason}`, { defaultValue: c.reason })}</dd>
        <dt>{t('facts.claimed')}</dt>
        <dd>{money(c.amounts.claimed, c.amounts.currency, locale)}</dd>
        {c.amounts.recovered !== undefined && (
          <>
            <dt>{t('facts.recovered')}</dt>
            <dd>{money(c.amounts.recovered, c.amounts.currency, locale)}</dd>
          </>
        )}
      </dl>

      <h2>{t('eligibility')}</h2>
      <p id="claim-eligibility" class={el.eligibleNow ? 'status' : 'notice'}>
        {el.eligibleNow
          ? t('eligibleNow')
          : el.notEligibleBecause
            ? t(`why.${el.notEligibleBecause.code.replace('claim.', '')}`, {
                from: dateTime(el.eligibleFrom, locale),
                closes: dateTime(el.windowClosesAt, locale),
              })
            : t('notEligible')}
      </p>
      <dl class="facts">
        <dt>{t('deadline.eligibleAt')}</dt>
        <dd>{dateTime(c.deadlines.eligibleAt, locale)}</dd>
        <dt>{t('deadline.warnAt')}</dt>
        <dd>{dateTime(c.deadlines.warnAt, locale)}</dd>
        <dt>{t('deadline.windowClosesAt')}</dt>
        <dd>{dateTime(c.deadlines.windowClosesAt, locale)}</dd>
      </dl>

      <h2 id="claim-guide">{t('guide.title', { name: c.guide.name })}</h2>
      <dl class="facts">
        <dt>{t('guide.where')}</dt>
        <dd>{c.guide.where}</dd>
        <dt>{t('guide.how')}</dt>
        <dd>{c.guide.how}</dd>
        <dt>{t('guide.answerWithin')}</dt>
        <dd>{isoSpan(c.guide.deadlines.answerWithin, locale)}</dd>
        <dt>{t('guide.appealWithin')}</dt>
        <dd>{isoSpan(c.guide.deadlines.appealWithin, locale)}</dd>
        <dt>{t('guide.paymentWithin')}</dt>
        <dd>{isoSpan(c.guide.deadlines.paymentWithin, locale)}</dd>
        <dt>{t('guide.liabilityCap')}</dt>
        <dd>{money(c.guide.liabilityCap.amount, c.guide.liabilityCap.currency, locale)}</dd>
      </dl>
      <h3>{t('guide.documents')}</h3>
      <ul id="claim-guide-documents">
        {c.guide.requiredDocuments.map((d) => (
          <li key={d}>{d}</li>
        ))}
      </ul>
      {c.guide.notes && <p class="muted">{c.guide.notes}</p>}
      <p class="muted">
        {t('guide.sources')}: {c.guide.sources.join('; ')}
      </p>

      <h2>{t('actions')}</h2>
      <div class="claim-actions">
        <button
          type="button"
          id="evidence-pdf"
          disabled={!actions.evidence.ready}
          aria-describedby={actions.evidence.ready ? undefined : 'evidence-why'}
          onClick={() => void getFile(actions.evidence.pdf, `claim-${c.id}-evidence.pdf`)}
        >
          {t('evidencePdf')}
        </button>
        <button
          type="button"
          id="evidence-json"
          disabled={!actions.evidence.ready}
          aria-describedby={actions.evidence.ready ? undefined : 'evidence-why'}
          onClick={() => void getFile(actions.evidence.href, `claim-${c.id}-evidence.json`)}
        >
          {t('evidenceJson')}
        </button>
        {!actions.evidence.ready && (
          <p id="evidence-why" class="muted">
            {t('evidenceNotReady', { from: dateTime(el.eligibleFrom, locale) })}
          </p>
        )}
      </div>
      {may(session, 'decide') && actions.recordOutcome.possible && (
        <OutcomeForm
          claimId={c.id}
          statuses={actions.recordOutcome.statuses}
          currency={c.amounts.currency}
          onDone={(text) => {
            setNote({ text });
            void load();
          }}
          onError={(text) => setNote({ text, error: true })}
        />
      )}
      {!actions.recordOutcome.possible && (
        <p class="muted">{t('noOutcome', { status: t(`status.${c.status}`) })}</p>
      )}

      <h2>{t('history')}</h2>
      <div class="scroll">
        <table>
          <caption>{t('historyCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('col.when')}</th>
              <th scope="col">{t('col.status')}</th>
              <th scope="col">{t('col.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {c.history.map((h, i) => (
              <tr key={i}>
                <td data-label={t('col.when')}>
                  <time dateTime={h.at}>{dateTime(h.at, locale)}</time>
                </td>
                <td data-label={t('col.status')}>
                  {t(`status.${h.status}`, { defaultValue: h.status })}
                </td>
                <td data-label={t('col.detail')}>{h.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function OutcomeForm(props: {
  claimId: string;
  statuses: Outcome[];
  currency: string;
  onDone: (text: string) => void;
  onError: (text: string) => void;
}) {
  const { t } = useT('claims');
  const [status, setStatus] = useState<Outcome>(props.statuses[0]!);
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await must(
        api.POST('/v1/claims/{id}/outcome', {
          params: { path: { id: props.claimId } },
          body: {
            status,
            ...(amount !== '' ? { amountRecovered: Number(amount) } : {}),
            ...(note.trim() ? { note: note.trim() } : {}),
          },
        }),
      );
      props.onDone(t('outcomeRecorded', { status: t(`status.${status}`) }));
    } catch (err) {
      props.onError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="outcome" onSubmit={(e) => void submit(e)} aria-labelledby="outcome-title">
      <h3 id="outcome-title">{t('recordOutcome')}</h3>
      <label>
        {t('outcome.status')}
        <select
          id="outcome-status"
          value={status}
          onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Outcome)}
        >
          {props.statuses.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('outcome.amount', { currency: props.currency })}
        <input
          id="outcome-amount"
          type="number"
          min="0"
          step="0.01"
          inputMode="decimal"
          value={amount}
          onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        {t('outcome.note')}
        <textarea
          id="outcome-note"
          maxLength={2000}
          value={note}
          onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {t('outcome.submit')}
      </button>
    </form>
  );
}
