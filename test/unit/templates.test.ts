import { describe, expect, it } from 'vitest';
import {
  BUILTIN_LOCALES,
  builtinTemplate,
  CUSTOMER_STATUSES,
  renderMessage,
  templateLocaleChain,
  validateTemplate,
  type TemplateVars,
} from '../../src/messages/templates';
import { NOTIFICATION_KINDS } from '../../workflows/shipment.contract';

/** Every value a customer message can carry, as one shipment would have them. */
const VARS: TemplateVars = {
  customerName: 'Ana Souza',
  orderId: 'ORD-1001',
  items: [
    { sku: 'MUG-BLUE', quantity: 2, unitPrice: 12 },
    { sku: 'TEA-SET', quantity: 1, unitPrice: 30 },
  ],
  carrier: 'yanwen',
  trackingNumber: 'YW123456789CN',
  newCarrier: 'dhl',
  newTrackingNumber: 'JD014600003828',
  expectedDeliveryAt: '2026-03-05T12:00:00Z',
  refundAmount: 1234.5,
  currency: 'EUR',
  couponCode: 'SORRY10',
  surveyLink: 'https://care.example.com/survey/abc.def',
  status: 'replacement_sent',
  subject: 'Review overdue: shipment S-1',
  text: 'Shipment S-1 has waited 24 h for a decision.',
  shipmentId: 'S-1',
};

describe('every kind in every language', () => {
  for (const locale of BUILTIN_LOCALES) {
    for (const kind of NOTIFICATION_KINDS) {
      it(`${kind} in ${locale}`, () => {
        const m = renderMessage(kind, locale, VARS);
        expect(m.text).not.toMatch(/\{[#/]?\w+\}/);
        expect(m.subject).not.toMatch(/\{[#/]?\w+\}/);
        expect({
          subject: m.subject,
          text: m.text,
          templateLocale: m.templateLocale,
        }).toMatchSnapshot();
      });
    }
  }

  it('every language has a customer text for every kind but ops alerts, and every status sentence', () => {
    for (const locale of BUILTIN_LOCALES) {
      for (const kind of NOTIFICATION_KINDS.filter((k) => k !== 'ops_alert')) {
        expect(renderMessage(kind, locale, VARS).templateLocale, `${kind} ${locale}`).toBe(locale);
      }
      for (const status of CUSTOMER_STATUSES) {
        const m = renderMessage('inquiry_reply', locale, { ...VARS, status });
        expect(m.text).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it('the HTML part of a German reship notice', () => {
    expect(renderMessage('reshipped', 'de-DE', VARS).html).toMatchSnapshot();
  });
});

describe('a gift offered for the trouble', () => {
  const GIFT = { ...VARS, couponCode: undefined, gift: 'a tin of Longjing green tea' };

  for (const locale of BUILTIN_LOCALES) {
    it(`a delay notice in ${locale} offers the gift as a gift, and a reship and a refund notice too`, () => {
      const delay = renderMessage('delay_notice', locale, GIFT);
      expect(delay.text).not.toMatch(/\{[#/]?\w+\}/);
      expect(delay.text).toMatchSnapshot();
      for (const kind of ['reshipped', 'refunded'] as const) {
        const line = renderMessage(kind, locale, GIFT)
          .text.split('\n\n')
          .find((p) => p.includes(GIFT.gift));
        expect(line, `${kind} ${locale}`).toMatchSnapshot();
      }
      // A gift is no coupon: the coupon sentence is not used for it.
      const coupon = renderMessage('delay_notice', locale, {
        ...VARS,
        couponCode: GIFT.gift,
      }).text;
      expect(delay.text, locale).not.toBe(coupon);
    });
  }

  it('a survey or a status reply carries no gift line', () => {
    for (const kind of ['survey', 'inquiry_reply', 'customs_notice'] as const) {
      expect(renderMessage(kind, 'en', GIFT).text, kind).not.toContain(GIFT.gift);
    }
  });
});

describe('locale fallback', () => {
  it('pt-PT falls back to pt-BR, then English', () => {
    expect(templateLocaleChain('pt-PT')).toEqual(['pt-PT', 'pt', 'pt-BR', 'en']);
    expect(renderMessage('refunded', 'pt-PT', VARS).templateLocale).toBe('pt-BR');
  });

  it('traditional Chinese and bare zh get the Simplified Chinese text', () => {
    expect(renderMessage('delay_notice', 'zh-TW', VARS).templateLocale).toBe('zh-CN');
    expect(renderMessage('delay_notice', 'zh', VARS).templateLocale).toBe('zh-CN');
  });

  it('a regional variant drops its region before falling to English', () => {
    expect(templateLocaleChain('de-AT')).toEqual(['de-AT', 'de', 'en']);
    expect(renderMessage('delay_notice', 'de-AT', VARS).subject).toBe(
      'Ihre Bestellung ORD-1001 braucht länger als erwartet',
    );
    expect(renderMessage('delay_notice', 'es-MX', VARS).templateLocale).toBe('es');
  });

  it('a language we do not write, or no usable locale, gets English', () => {
    expect(renderMessage('reshipped', 'pl-PL', VARS).templateLocale).toBe('en');
    expect(renderMessage('reshipped', 'not a locale!', VARS).templateLocale).toBe('en');
    expect(renderMessage('reshipped', undefined, VARS).templateLocale).toBe('en');
  });

  it('a seller override for pt-PT wins over the pt-BR text for a Portuguese customer', () => {
    const m = renderMessage('refunded', 'pt-PT', VARS, (kind, locale) =>
      kind === 'refunded' && locale === 'pt-PT'
        ? {
            subject: 'Reembolso da encomenda {orderId}',
            text: 'Olá {customerName}: {refundAmount}.',
          }
        : undefined,
    );
    expect(m).toMatchObject({
      subject: 'Reembolso da encomenda ORD-1001',
      templateLocale: 'pt-PT',
      overridden: true,
    });
  });

  it('a seller text that cannot say a refund is pending, or that the carrier declared a loss, gives way to the built-in one', () => {
    const paidOnly = (kind: string) =>
      kind === 'refunded'
        ? { subject: 'Refund for {orderId}', text: 'We have refunded {refundAmount}.' }
        : kind === 'delay_notice'
          ? { subject: 'Delayed: {orderId}', text: 'Your parcel is just late.' }
          : undefined;
    const paid = renderMessage('refunded', 'en', { ...VARS, refundStatus: 'refunded' }, paidOnly);
    expect(paid).toMatchObject({ text: 'We have refunded €1,234.50.', overridden: true });
    const pending = renderMessage('refunded', 'en', { ...VARS, refundStatus: 'pending' }, paidOnly);
    expect(pending.overridden).toBe(false);
    expect(pending.text).toContain('We are arranging a refund of €1,234.50');
    const lost = renderMessage('delay_notice', 'en', { ...VARS, carrierLost: true }, paidOnly);
    expect(lost.overridden).toBe(false);
    expect(lost.text).toContain('reported lost by the carrier');
    const both = () => ({
      subject: 's',
      text: '{#refundDone}paid{/refundDone}{#refundPending}on its way{/refundPending}',
    });
    expect(renderMessage('refunded', 'en', { ...VARS, refundStatus: 'pending' }, both).text).toBe(
      'on its way',
    );
  });

  it('dates and money are written the customer’s way even in a fallback text', () => {
    expect(renderMessage('refunded', 'pt-PT', VARS).text).toMatch(/1234,50\s€/);
    expect(renderMessage('refunded', 'pt-BR', VARS).text).toMatch(/€\s1\.234,50/);
    expect(renderMessage('reshipped', 'ja-JP', VARS).text).toContain('2026年3月5日');
    expect(renderMessage('reshipped', 'en-US', VARS).text).toContain('March 5, 2026');
  });
});

describe('placeholders', () => {
  it('the reship notice names the order, items, and the new tracking number', () => {
    const m = renderMessage('reshipped', 'en', VARS);
    expect(m.subject).toBe('We have sent a replacement for order ORD-1001');
    expect(m.text).toContain('Hello Ana Souza');
    expect(m.text).toContain('(2 × MUG-BLUE and 1 × TEA-SET)');
    expect(m.text).toContain('New tracking number: JD014600003828 (DHL Express)');
  });

  it('carriers are named as customers know them; a code outside the catalogue as given', () => {
    const customs = renderMessage('customs_notice', 'en', { ...VARS, carrier: 'yunexpress' });
    expect(customs.text).toContain('tracking number YW123456789CN with YunExpress,');
    expect(customs.html).toContain('with YunExpress,');
    const unlisted = renderMessage('customs_notice', 'en', { ...VARS, carrier: 'Posta Regionale' });
    expect(unlisted.text).toContain('with Posta Regionale,');
  });

  it('a refund not yet paid is announced as being arranged, in every language', () => {
    const pending = renderMessage('refunded', 'en', { ...VARS, refundStatus: 'pending' });
    expect(pending.text).toContain('We are arranging a refund of €1,234.50');
    expect(pending.text).not.toContain('We have refunded');
    expect(renderMessage('refunded', 'en', { ...VARS, refundStatus: 'refunded' }).text).toContain(
      'We have refunded €1,234.50 to your original payment method.',
    );
    expect(renderMessage('refunded', 'ja', { ...VARS, refundStatus: 'pending' }).text).toContain(
      'まだ返金は完了しておらず',
    );
    for (const locale of BUILTIN_LOCALES) {
      const done = renderMessage('refunded', locale, { ...VARS, refundStatus: 'refunded' }).text;
      const arranged = renderMessage('refunded', locale, { ...VARS, refundStatus: 'pending' }).text;
      // Only the refund sentence differs; the amount is in both.
      expect(arranged, locale).not.toBe(done);
      expect(arranged.split('\n\n')[0], locale).toBe(done.split('\n\n')[0]);
      expect(arranged, locale).toMatch(/1[.,\s\u00a0\u202f]?234[.,]50/);
      const status = renderMessage('inquiry_reply', locale, { ...VARS, status: 'refund_pending' });
      const paid = renderMessage('inquiry_reply', locale, { ...VARS, status: 'refunded' });
      expect(status.text, locale).not.toBe(paid.text);
    }
  });

  it('a carrier-declared loss is not worded as a delay, in every language', () => {
    const lost = renderMessage('delay_notice', 'en', { ...VARS, carrierLost: true });
    expect(lost.subject).toBe('The carrier has reported your parcel for order ORD-1001 lost');
    expect(lost.text).toContain('has been reported lost by the carrier');
    expect(lost.text).not.toContain('has not moved');
    expect(lost.text).not.toContain('You do not need to do anything');
    for (const locale of BUILTIN_LOCALES) {
      const delayed = renderMessage('delay_notice', locale, VARS);
      const declared = renderMessage('delay_notice', locale, { ...VARS, carrierLost: true });
      expect(declared.subject, locale).not.toBe(delayed.subject);
      expect(declared.subject, locale).toContain('ORD-1001');
      expect(declared.text, locale).toContain('YW123456789CN');
      expect(declared.text.split('\n\n')[1], locale).not.toBe(delayed.text.split('\n\n')[1]);
    }
  });

  it('a second delay notice is a follow-up naming our earlier message and the last scan, in every language', () => {
    const followUp = {
      ...VARS,
      previousNoticeAt: '2026-03-02T08:00:00Z',
      lastScanAt: '2026-02-27T23:00:00Z',
    };
    const en = renderMessage('delay_notice', 'en', followUp);
    expect(en.subject).toBe('Update on your order ORD-1001: still no movement');
    expect(en.text).toContain('We wrote to you on March 2, 2026');
    expect(en.text).toContain("The carrier's latest scan is from February 27, 2026");
    for (const locale of BUILTIN_LOCALES) {
      const first = renderMessage('delay_notice', locale, VARS);
      const again = renderMessage('delay_notice', locale, followUp);
      expect(again.subject, locale).not.toBe(first.subject);
      expect(again.text.split('\n\n')[1], locale).not.toBe(first.text.split('\n\n')[1]);
      const date = (iso: string) =>
        new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
          new Date(iso),
        );
      expect(again.text, locale).toContain(date(followUp.previousNoticeAt));
      expect(again.text, locale).toContain(date(followUp.lastScanAt));
      expect(again.text, locale).not.toMatch(/\{[#/]?\w+\}/);
    }
  });

  it('products are listed by their title when the shop gave one', () => {
    const m = renderMessage('reshipped', 'en', {
      ...VARS,
      items: [
        { sku: 'MUG-BLUE', quantity: 2, unitPrice: 12, title: 'Blue ceramic mug' },
        { sku: 'TEA-SET', quantity: 1, unitPrice: 30 },
      ],
    });
    expect(m.text).toContain('(2 × Blue ceramic mug and 1 × TEA-SET)');
  });

  it('a status reply on a parcel under way gives its expected date in the customer’s language', () => {
    const ja = renderMessage('inquiry_reply', 'ja', { ...VARS, status: 'in_transit' });
    expect(ja.text).toContain('お届け予定日は 2026年3月5日 です。');
    const zh = renderMessage('inquiry_reply', 'zh-CN', { ...VARS, status: 'in_transit' });
    expect(zh.text).toContain('预计送达日期为 2026年3月5日。');
    for (const locale of BUILTIN_LOCALES) {
      const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
        new Date(VARS.expectedDeliveryAt!),
      );
      for (const status of ['in_transit', 'replacement_sent'] as const) {
        const m = renderMessage('inquiry_reply', locale, { ...VARS, status });
        expect(m.text, `${status} ${locale}`).toContain(date);
      }
    }
    const none = renderMessage('inquiry_reply', 'en', {
      ...VARS,
      status: 'in_transit',
      expectedDeliveryAt: undefined,
    });
    expect(none.text).not.toContain('expected');
  });

  it('the coupon paragraph and the expected date only appear when there is a value', () => {
    const bare = renderMessage('reshipped', 'en', {
      ...VARS,
      couponCode: undefined,
      expectedDeliveryAt: undefined,
    });
    expect(bare.text).not.toContain('coupon');
    expect(bare.text).not.toContain('Expected delivery');
    expect(renderMessage('reshipped', 'en', VARS).text).toContain(
      'coupon for your next order: SORRY10',
    );
  });

  it('values are escaped in the HTML part, and the survey link is a link', () => {
    const m = renderMessage('survey', 'en', {
      ...VARS,
      customerName: '<script>alert("x")</script> & co',
    });
    expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain(
      '<a href="https://care.example.com/survey/abc.def">https://care.example.com/survey/abc.def</a>',
    );
    expect(m.text).toContain('<script>alert("x")</script> & co');
  });

  it('values in a seller’s HTML template are escaped too', () => {
    const m = renderMessage('delay_notice', 'en', { ...VARS, customerName: '<b>Eve</b>' }, () => ({
      subject: 'Late',
      text: 'Hi {customerName}',
      html: '<p>Hi <em>{customerName}</em></p>',
    }));
    expect(m.html).toBe('<p>Hi <em>&lt;b&gt;Eve&lt;/b&gt;</em></p>');
  });

  it('a template with an unknown placeholder is refused, naming it', () => {
    const issues = validateTemplate('delay_notice', {
      subject: 'Late {orderId}',
      text: 'Hi {customerName}, your {trackingNumbr} is late',
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'text' });
    expect(issues[0]!.message).toContain('{trackingNumbr}');
  });

  it('a placeholder of another kind is refused: a delay notice has no refund amount', () => {
    expect(
      validateTemplate('delay_notice', { subject: 's', text: '{refundAmount}' })[0]?.message,
    ).toContain('unknown placeholder {refundAmount}');
    expect(validateTemplate('refunded', { subject: 's', text: '{refundAmount}' })).toEqual([]);
  });

  it('unbalanced sections and a survey without its link are refused', () => {
    expect(validateTemplate('reshipped', { subject: 's', text: '{#couponCode} x' })).toEqual([
      { path: 'text', message: '{#couponCode} is never closed' },
    ]);
    expect(validateTemplate('survey', { subject: 's', text: 'Rate us!' })).toEqual([
      { path: 'text', message: 'a survey template must contain {surveyLink}' },
    ]);
  });

  it('every built-in text passes the checks a seller’s override must pass', () => {
    for (const locale of BUILTIN_LOCALES) {
      for (const kind of NOTIFICATION_KINDS) {
        const t = builtinTemplate(kind, locale);
        if (t) expect(validateTemplate(kind, t), `${kind} ${locale}`).toEqual([]);
      }
    }
  });
});
