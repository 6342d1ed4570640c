import {
  chooseChannel,
  DEFAULT_CHANNEL_POLICY,
  type ChannelChoice,
} from '../src/channels/channel-choice';
import { createChannelSettings } from '../src/channels/channel-settings';
import { lossStatsForLane, ratesForLane } from '../src/channels/channel.repository';
import { createSettingsRepository } from '../src/advice/settings.repository';
import type { ActivityDeps } from './deps';

export function createChannelActivities({
  db,
  channelPolicy = DEFAULT_CHANNEL_POLICY,
}: ActivityDeps) {
  // The policy stored through /v1/channel-policy wins; the configured default applies until then.
  const settings = createChannelSettings(db, createSettingsRepository(db), channelPolicy);
  return {
    /**
     * Chooses carrier and service for a reship from the warehouse's country to the customer's:
     * the rate table for the lane (as the last rate-card import or PUT left it), our loss history
     * per carrier on it, and the channel policy's rules.
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
      const [rates, losses, { policy }] = await Promise.all([
        ratesForLane(db, input.originCountry, input.destinationCountry),
        lossStatsForLane(db, input.originCountry, input.destinationCountry),
        settings.policy(),
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
        policy,
      );
    },
  };
}
