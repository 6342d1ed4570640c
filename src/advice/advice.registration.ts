import type { Logger } from 'pino';
import type { AdviceService, RegistrationForAdvice } from './advice.service';
import type { ShipmentAdviceRecord } from './advice.types';

/**
 * The advice a registration carries, or none when it cannot be computed (figures not loadable):
 * advice helps, but a shipment is registered and watched without it rather than refused.
 */
export async function adviceOrNone(
  advice: Pick<AdviceService, 'forRegistration'> | undefined,
  registration: RegistrationForAdvice,
  logger: Logger,
): Promise<ShipmentAdviceRecord | undefined> {
  if (!advice) return undefined;
  try {
    return await advice.forRegistration(registration);
  } catch (err) {
    logger.warn({ err }, 'advice could not be computed; registering without it');
    return undefined;
  }
}
