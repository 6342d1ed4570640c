import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, trackingEvents } from '../../src/db/schema';
import { startMessageDispatcher } from '../../src/messages/dispatcher';
import { DEFAULT_MESSAGING } from '../../src/messages/settings';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { startMailSink, type MailSink, type StoredMail } from '../../src/mail/smtp-sink';
import { claimWorkflowId } from '../../workflows/claim.contract';
import {
  replacementShipmentId,
  shipmentWorkflowId,
  type ShipmentRegistration,
} from '../../workflows/shipment.contract';
import { aFastPolicy, uniqueId } from '../helpers/factories';
import { startShipment, stateOf, type ShipmentHandle } from '../helpers/shipments';
import { OPS_EMAIL, startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/**
 * The mail server is down (connections refused) while customer notices and ops alerts fall due;
 * it comes back on the same port. The outbox keeps every message and the dispatcher delivers
 * each exactly once: nothing lost, nothing twice.
 */
const SHIPMENTS = 3;
/** What each lost parcel sends on its way to a reship with the auto-decision policy. */
const KINDS = ['delay_notice', 'ops_alert', 'reshipped'] as const;

let stack: TestStack;
let dispatcher: { stop(): Promise<void> } | undefined;
let dispatcherMailer: ReturnType<typeof createSmtpMailer> | undefined;
let revived: MailSink | undefined;
const started: { reg: ShipmentRegistration; handle: ShipmentHandle }[] = [];

beforeAll(async () => {
  stack = await startTestStack({ ownDatabase: true });
  // The worker's outbox loop (src/services.ts starts it next to the real worker), paced for a test.
  dispatcherMailer = createSmtpMailer({
    url: `smtp://127.0.0.1:${stack.mail.smtpPort}`,
    from: 'Parcelwarden <care@parcelwarden.test>',
    timeoutMs: 5_000,
  });
  dispatcher = startMessageDispatcher({
    db: stack.db,
    mailer: dispatcherMailer,
    settings: { ...DEFAULT_MESSAGING, opsEmail: OPS_EMAIL, pollMs: 250, maxBackoffMs: 3_000 },
  });
});

afterAll(async () => {
  await dispatcher?.stop();
  dispatcherMailer?.close?.();
  const ids = started.flatMap(({ reg }) => [
    shipmentWorkflowId(reg.shipmentId),
    shipmentWorkflowId(replacementShipmentId(reg.shipmentId)),
    claimWorkflowId(reg.shipmentId),
  ]);
  await Promise.all(
    ids.map((id) =>
      stack?.client.workflow
        .getHandle(id)
        .terminate('chaos test over')
        .catch(() => undefined),
    ),
  );
  await revived?.stop();
  await stack?.stop();
});

/** Resolves with the connection error code, or 'connected'. */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('the mail server is down while messages fall due', () => {
  it('every customer notice and ops alert recorded during the outage is delivered exactly once when the server is back', async () => {
    const port = stack.mail.smtpPort;
    const policy = aFastPolicy(uniqueId('chaos-smtp'), {
      stallAfter: { ...aFastPolicy('x').stallAfter, info_received: 'PT1H' },
      reviewSla: 'PT2S',
      autoDecision: { maxDeclaredValue: 1000, decision: 'reship' },
      overdueGrace: 'P30D',
    });

    // Down: the sink stops listening, so every connection is refused.
    const beforeOutage: StoredMail[] = stack.mail.messages();
    await stack.mail.stop();
    expect(await probe(port)).toBe('ECONNREFUSED');

    for (let i = 0; i < SHIPMENTS; i++) {
      started.push(
        await startShipment(
          stack,
          policy,
          { carrier: 'sandbox' },
          {
            beforeStart: (reg) =>
              stack.db
                .insert(trackingEvents)
                .values({
                  shipmentId: reg.shipmentId,
                  eventId: uniqueId('ev'),
                  occurredAt: new Date(),
                  status: 'in_transit',
                  description: 'Departed origin hub',
                  source: 'api',
                })
                .then(() => undefined),
          },
        ),
      );
    }

    // The workflows do not wait for the mail server: each parcel is reshipped meanwhile.
    for (const { reg, handle } of started) {
      const state = await waitUntil(
        `${reg.shipmentId} closed`,
        () => stateOf(handle),
        (s) => s.stage === 'closed',
        90_000,
        500,
      );
      expect(state.resolution).toBe('reshipped');
      expect(state.notifications.map((n) => n.kind).sort()).toEqual([...KINDS].sort());
    }
    // Every message is recorded, none sent; each failed against the refused port, first in the
    // activity and then again in the dispatcher.
    const failing = await waitUntil(
      'every message recorded and failed at least twice',
      () => stack.db.select().from(notifications),
      (rows) =>
        rows.length >= SHIPMENTS * KINDS.length &&
        rows.every((r) => r.status === 'failing' && r.attempts >= 2),
      60_000,
      250,
    );
    for (const row of failing) expect(row.lastError).toContain('ECONNREFUSED');
    expect(await probe(port)).toBe('ECONNREFUSED');

    // Back on the same port.
    revived = await startMailSink({ smtpPort: port });
    const rows = await waitUntil(
      'every message sent',
      () => stack.db.select().from(notifications),
      (all) => all.length > 0 && all.every((r) => r.status === 'sent'),
      90_000,
      250,
    );

    // Nothing lost: each parcel's three messages, to the right address, recorded once.
    for (const { reg } of started) {
      const mine = rows.filter((r) => r.shipmentId === reg.shipmentId);
      for (const kind of KINDS) {
        // (An alert that a message keeps failing may join them; it is checked like any other below.)
        const ofKind = mine.filter(
          (r) => r.kind === kind && !r.idempotencyKey.startsWith('outbox:failing:'),
        );
        expect(ofKind, `${kind} of ${reg.shipmentId}`).toHaveLength(1);
        expect(ofKind[0]!.to).toBe(kind === 'ops_alert' ? OPS_EMAIL : reg.customer.email);
        // Two refused attempts (at least) and the one that went through.
        expect(ofKind[0]!.attempts).toBeGreaterThanOrEqual(3);
      }
    }

    // Nothing twice: the sink received exactly one mail per outbox row, and no other.
    const received = await waitUntil(
      'the sink to hold every message',
      async () => [...beforeOutage, ...revived!.messages()],
      (mails) => mails.length >= rows.length,
      10_000,
    );
    // Settle: a duplicate sent late would arrive now.
    await new Promise((r) => setTimeout(r, 1_500));
    const all = [...beforeOutage, ...revived.messages()];
    expect(beforeOutage).toHaveLength(0);
    expect(received.length).toBeGreaterThan(0);
    const byMessageId = new Map<string, number>();
    for (const m of all)
      byMessageId.set(m.messageId ?? '', (byMessageId.get(m.messageId ?? '') ?? 0) + 1);
    for (const row of rows) {
      expect(
        byMessageId.get(row.messageId ?? ''),
        `mails with Message-ID of ${row.idempotencyKey}`,
      ).toBe(1);
      const mail = all.find((m) => m.messageId === row.messageId)!;
      expect(mail.to).toEqual([row.to]);
      expect(mail.subject).toBe(row.subject);
    }
    expect(all).toHaveLength(rows.length);
  }, 170_000);
});
