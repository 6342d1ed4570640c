import { describe, expect, it } from 'vitest';
import { chooseCompensation, chooseSender, mailSituation } from '../../src/messages/customer-care';
import type { CustomerCare } from '../../workflows/model/policy';

const POLICY_CARE: CustomerCare = {
  senderName: 'Kumo Tea Care',
  replyTo: 'care@kumo.example',
  compensation: { kind: 'gift', description: 'a tin of green tea' },
};

describe('who a customer mail comes from', () => {
  it('the shop’s sender name and reply-to come first', () => {
    expect(
      chooseSender({ senderName: 'Mugs & Co', replyTo: 'help@mugs.example' }, POLICY_CARE),
    ).toEqual({ name: 'Mugs & Co', replyTo: 'help@mugs.example' });
  });

  it('what the shop leaves unset comes from the shipment’s policy, field by field', () => {
    expect(chooseSender({ senderName: 'Mugs & Co', replyTo: null }, POLICY_CARE)).toEqual({
      name: 'Mugs & Co',
      replyTo: 'care@kumo.example',
    });
    expect(chooseSender({ senderName: null, replyTo: 'help@mugs.example' }, POLICY_CARE)).toEqual({
      name: 'Kumo Tea Care',
      replyTo: 'help@mugs.example',
    });
    expect(chooseSender(undefined, POLICY_CARE)).toEqual({
      name: 'Kumo Tea Care',
      replyTo: 'care@kumo.example',
    });
  });

  it('with neither, nothing is set and the mailer’s configured sender is used', () => {
    expect(chooseSender({ senderName: null, replyTo: null }, null)).toEqual({});
    expect(chooseSender(undefined, { compensation: POLICY_CARE.compensation })).toEqual({});
  });
});

describe('which compensation a customer mail offers', () => {
  it('a delay notice the carrier declared lost is its own situation', () => {
    expect(mailSituation('delay_notice', false)).toBe('delay_notice');
    expect(mailSituation('delay_notice', true)).toBe('carrier_lost');
    expect(mailSituation('reshipped', false)).toBe('reshipped');
    expect(mailSituation('refunded', false)).toBe('refunded');
    expect(mailSituation('survey', false)).toBeUndefined();
    expect(mailSituation('inquiry_reply', false)).toBeUndefined();
  });

  it('the registration’s coupon comes before the policy’s compensation', () => {
    expect(chooseCompensation({ couponCode: 'SORRY10' }, POLICY_CARE, 'delay_notice')).toEqual({
      couponCode: 'SORRY10',
    });
  });

  it('without one, the policy’s gift reads as a gift and its coupon as a code', () => {
    expect(chooseCompensation(undefined, POLICY_CARE, 'delay_notice')).toEqual({
      gift: 'a tin of green tea',
    });
    expect(
      chooseCompensation({}, { compensation: { kind: 'coupon', code: 'KUMO15' } }, 'refunded'),
    ).toEqual({ couponCode: 'KUMO15' });
  });

  it('by default every loss-related mail carries it, and no other', () => {
    for (const situation of ['delay_notice', 'carrier_lost', 'reshipped', 'refunded'] as const) {
      expect(chooseCompensation(undefined, POLICY_CARE, situation), situation).toEqual({
        gift: 'a tin of green tea',
      });
    }
    expect(chooseCompensation(undefined, POLICY_CARE, mailSituation('survey', false))).toEqual({});
  });

  it('only the situations the policy grants it for carry it', () => {
    const care: CustomerCare = { ...POLICY_CARE, compensationFor: ['carrier_lost', 'reshipped'] };
    expect(chooseCompensation(undefined, care, 'delay_notice')).toEqual({});
    expect(chooseCompensation(undefined, care, 'refunded')).toEqual({});
    expect(chooseCompensation(undefined, care, 'carrier_lost')).toEqual({
      gift: 'a tin of green tea',
    });
    expect(chooseCompensation(undefined, care, 'reshipped')).toEqual({
      gift: 'a tin of green tea',
    });
  });

  it('a policy without compensation offers none', () => {
    expect(chooseCompensation(undefined, { senderName: 'x' }, 'delay_notice')).toEqual({});
    expect(chooseCompensation(undefined, undefined, 'delay_notice')).toEqual({});
  });
});
