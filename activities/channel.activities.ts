import {
  chooseChannel,
  DEFAULT_CHANNEL_POLICY,
  type ChannelChoice,
} from '../src/channels/channel-choice';
import { lossStatsForLane, ratesForLane } from '../src/channels/channel.repository';
import type { ActivityDeps } from './deps';

export function createChannelActivities({
  db,
  channelPolicy = DEFAULT_CHANNEL_POLICY,
}: ActivityDeps) {
  return {
    /**
     * Chooses carrier and service for a reship from the warehouse's country to the customer's:
     * the rate table for the lane, our loss history per carrier on it, and the policy's rules.
     * Read-only, so a retry simply decides again on the same data.
     */
    async chooseReshipChannel(input: {
      originCountry: string;
      destinationCountry: string;
      declaredValue: number;
      currency: string;
      originalCarrier: string;
      originalService?: string;
    }): Promise<ChannelChoice> {
      const [rates, losses] = await Promise.all([
        ratesForLane(db, input.originCountry, input.destinationCountry),
        lossStatsForLane(db, input.originCountry, input.destinationCountry),
      ]);
      return chooseChannel(
        {
          originCountry: input.originCountry,
          destinationCountry: input.destinationCountry,
          declaredValue: input.declaredValue,
          currency: input.currency,
          fallback: { carrier: input.originalCarrier, service: input.originalService },
        },
        rates,
        losses,
        channelPolicy,
      );
    },
  };
}
