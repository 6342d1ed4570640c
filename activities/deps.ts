import type { CarrierRegistry } from '../src/carriers/carrier';
import type { Db } from '../src/db/client';
import type { Mailer } from '../src/mail/mailer';

export interface ActivityDeps {
  db: Db;
  carriers: CarrierRegistry;
  mailer: Mailer;
  opsEmail: string;
  /** Domain for Message-IDs derived from idempotency keys. */
  messageIdDomain?: string;
  clock?: () => Date;
}
