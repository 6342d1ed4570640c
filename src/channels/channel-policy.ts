import type { Config } from '../config';
import { DEFAULT_CHANNEL_POLICY, type ChannelPolicy } from './channel-choice';

/** The channel policy with the thresholds from configuration (rules stay the defaults). */
export function channelPolicyFromConfig(
  config: Pick<
    Config,
    'reshipMaxLossRate' | 'reshipLossMinSample' | 'reshipInsureAbove' | 'reshipInsuranceRate'
  >,
): ChannelPolicy {
  return {
    ...DEFAULT_CHANNEL_POLICY,
    maxLossRate: config.reshipMaxLossRate,
    minSample: config.reshipLossMinSample,
    insureAbove: config.reshipInsureAbove,
    insuranceRatePer100: config.reshipInsuranceRate,
  };
}
