import { ProblemError } from '../http/problems';
import { CARRIER_CODES, suggestCarriers } from './catalogue';

/**
 * A registration names a carrier the catalogue does not know: 422 with the closest codes
 * (`suggestions`) and every known code (`knownCarriers`). A typo caught here would otherwise fail
 * at the first carrier lookup, after the customer was told of a delay.
 */
export function unknownCarrier(carrier: string): ProblemError {
  const suggestions = suggestCarriers(carrier);
  const unknown = suggestions.length
    ? `unknown carrier "${carrier}"; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
    : `unknown carrier "${carrier}".`;
  return new ProblemError(
    422,
    'carrier.unknown',
    'Unknown carrier',
    `U${unknown.slice(1)} Known carriers (GET /v1/carriers): ${CARRIER_CODES.join(', ')}. ` +
      'To register a carrier outside this list, send "carrierUnlisted": true.',
    {
      errors: [
        {
          path: 'carrier',
          message: `${unknown} A carrier outside GET /v1/carriers must be marked unlisted.`,
        },
      ],
      members: { suggestions, knownCarriers: [...CARRIER_CODES] },
    },
  );
}
