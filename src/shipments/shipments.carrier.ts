import { carrierCode } from '../carriers/catalogue';
import { unknownCarrier } from '../carriers/carriers.errors';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import type { RegistrationBody } from './shipments.schemas';

/**
 * The registration to store and start: its carrier as the catalogue writes it (`DHL` → `dhl`),
 * or as given when the seller marked it unlisted. An unknown carrier otherwise is a 422 with
 * suggestions (`carrier.unknown`). The mark itself is not kept: it only lets the code in.
 */
export function withCatalogueCarrier({
  carrierUnlisted,
  ...registration
}: RegistrationBody): ShipmentRegistration {
  const code = carrierCode(registration.carrier);
  if (code) return { ...registration, carrier: code };
  if (carrierUnlisted === true) return registration;
  throw unknownCarrier(registration.carrier);
}
