import { customerSenderLookup } from '../shops/shops.sender';
import type { Db } from '../db/client';
import type { Mailer } from '../mail/mailer';
import { buildChannels } from './channels';
import { createOutboxRepository } from './outbox.repository';
import { createOutboxSender, startOutboxDispatcher } from './outbox.sender';
import type { MessagingSettings } from './settings';

/**
 * The worker's outbox loop: retries failing messages with backoff, takes over messages whose
 * sender died (lease ran out), and sends what the API recorded (inquiry replies, ops alerts).
 */
export function startMessageDispatcher(deps: {
  db: Db;
  mailer: Mailer;
  settings: MessagingSettings;
}): { stop(): Promise<void> } {
  const outbox = createOutboxRepository(deps.db, deps.settings);
  const sender = createOutboxSender({
    outbox,
    channels: buildChannels(deps.mailer, deps.settings.onsite, customerSenderLookup(deps.db)),
    settings: deps.settings,
  });
  return startOutboxDispatcher(sender, deps.settings);
}
