import { describe, expect, it } from 'vitest';
import {
  chooseChannel,
  DEFAULT_CHANNEL_POLICY,
  insuranceFor,
  type ChannelPolicy,
  type ChannelRate,
  type ChannelRequest,
} from '../../src/channels/channel-choice';

const rate = (
  carrier: string,
  service: string,
  serviceDays: number,
  postage: number,
  insurable = true,
): ChannelRate => ({ carrier, service, serviceDays, postage, currency: 'USD', insurable });

const request = (overrides: Partial<ChannelRequest> = {}): ChannelRequest => ({
  originCountry: 'DE',
  destinationCountry: 'FR',
  declaredValue: 40,
  currency: 'EUR',
  fallback: { carrier: 'yanwen', service: 'standard' },
  ...overrides,
});

const policy: ChannelPolicy = {
  ...DEFAULT_CHANNEL_POLICY,
  maxLossRate: 0.05,
  minSample: 20,
  insureAbove: 100,
  insuranceRatePer100: 1.5,
  insuranceMinPremium: 1,
  rules: [{ name: 'default', costPerDay: 1 }],
};

describe('channel selection for a reship', () => {
  const rates = [rate('dhl', 'standard', 4, 9.9), rate('dpd', 'standard', 3, 11.5)];

  it('the cheapest channel (postage plus a cost per day) wins when history is clean', () => {
    const choice = chooseChannel(request(), rates, [], policy);
    // dhl 9.9 + 4 = 13.9 beats dpd 11.5 + 3 = 14.5
    expect(choice).toMatchObject({ carrier: 'dhl', service: 'standard', insured: false });
    expect(choice.reason).toContain('too little history on this lane (0 of 20 shipments)');
    expect(choice.alternatives.map((a) => [a.carrier, a.score])).toEqual([
      ['dhl', 13.9],
      ['dpd', 14.5],
    ]);
  });

  it('a carrier that lost more than the threshold on this lane is avoided, and the reason says so', () => {
    const choice = chooseChannel(
      request(),
      rates,
      [
        { carrier: 'dhl', finished: 40, lost: 6 },
        { carrier: 'dpd', finished: 50, lost: 1 },
      ],
      policy,
    );
    expect(choice.carrier).toBe('dpd');
    expect(choice.alternatives.find((a) => a.carrier === 'dhl')).toMatchObject({
      lossRate: 0.15,
      excluded: 'loses 15 % on this lane (6 of 40), above 5 %',
    });
    expect(choice.reason).toBe(
      'dpd/standard on DE→FR: best score of 1 eligible channels (11.50 USD, 3 days, our loss rate 2 % over 50 shipments). Avoided: dhl/standard (loses 15 % on this lane (6 of 40), above 5 %).',
    );
  });

  it('a high loss rate on too small a sample is not trusted either way', () => {
    const choice = chooseChannel(
      request(),
      rates,
      [{ carrier: 'dhl', finished: 5, lost: 3 }],
      policy,
    );
    expect(choice.carrier).toBe('dhl');
    expect(choice.alternatives[0]).not.toHaveProperty('lossRate');
  });

  it('when every channel loses too much, the least lossy is taken and ops are told why', () => {
    const choice = chooseChannel(
      request(),
      rates,
      [
        { carrier: 'dhl', finished: 20, lost: 4 },
        { carrier: 'dpd', finished: 20, lost: 2 },
      ],
      policy,
    );
    expect(choice.carrier).toBe('dpd');
    expect(choice.reason).toMatch(
      /^No channel on DE→FR meets the rules .* dpd\/standard is the least bad\.$/,
    );
  });

  it('insurance is added above the declared-value threshold, and uninsurable channels drop out', () => {
    const withEconomy = [...rates, rate('yanwen', 'economy', 15, 3, false)];
    const cheap = chooseChannel(request({ declaredValue: 100 }), withEconomy, [], policy);
    expect(cheap).toMatchObject({ carrier: 'dhl', insured: false, insurancePremium: 0 });

    const valuable = chooseChannel(request({ declaredValue: 250 }), withEconomy, [], policy);
    expect(valuable).toMatchObject({ insured: true, insurancePremium: 4.5 });
    expect(valuable.reason).toContain('Insured (4.50 EUR): declared value 250 EUR is above 100.');
    expect(valuable.alternatives.find((a) => a.carrier === 'yanwen')?.excluded).toBe(
      'cannot be insured and the value calls for insurance',
    );
  });

  it('the premium is per started 100 of value with a minimum', () => {
    expect(insuranceFor(policy, 100)).toEqual({ insured: false, premium: 0 });
    expect(insuranceFor(policy, 101)).toEqual({ insured: true, premium: 3 });
    expect(insuranceFor({ ...policy, insuranceMinPremium: 5 }, 101)).toEqual({
      insured: true,
      premium: 5,
    });
  });

  it('rules are data: a valuable parcel weighs speed more, a lane can cap the days or exclude a carrier', () => {
    const slowCheap = [rate('post', 'economy', 10, 5), rate('ups', 'express', 2, 20)];
    const rules: ChannelPolicy = {
      ...policy,
      insureAbove: 10_000,
      rules: [
        { name: 'default', costPerDay: 1 },
        { name: 'valuable goes fast', when: { minDeclaredValue: 200 }, costPerDay: 4 },
        {
          name: 'no post to Brazil',
          when: { destinationCountry: 'BR' },
          excludeCarriers: ['POST'],
        },
        { name: 'US within a week', when: { destinationCountry: 'US' }, maxServiceDays: 7 },
      ],
    };
    expect(chooseChannel(request({ declaredValue: 50 }), slowCheap, [], rules).carrier).toBe(
      'post',
    );
    const valuable = chooseChannel(request({ declaredValue: 300 }), slowCheap, [], rules);
    expect(valuable.carrier).toBe('ups');
    expect(valuable.rules).toEqual(['default', 'valuable goes fast']);
    expect(
      chooseChannel(request({ destinationCountry: 'BR' }), slowCheap, [], rules).alternatives[1],
    ).toMatchObject({ carrier: 'post', excluded: 'carrier excluded by rule' });
    expect(
      chooseChannel(request({ destinationCountry: 'US' }), slowCheap, [], rules).alternatives[1],
    ).toMatchObject({ carrier: 'post', excluded: 'slower than 7 days' });
  });

  it('a lane without rates keeps the original carrier and says so', () => {
    const choice = chooseChannel(request(), [], [], policy);
    expect(choice).toMatchObject({ carrier: 'yanwen', service: 'standard' });
    expect(choice.reason).toBe('No rate for lane DE→FR; the original carrier yanwen is kept.');
  });
});
