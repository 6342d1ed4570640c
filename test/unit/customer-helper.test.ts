import { describe, expect, it } from 'vitest';
import {
  helperIntent,
  helperReply,
  MISSES_BEFORE_HANDOVER,
  type HelperFacts,
} from '../../src/customer/helper.rules';

const moving: HelperFacts = {
  status: 'in_transit',
  statusWords: 'On its way',
  carrier: 'YunExpress',
  tracking: 'YT123',
  expected: '12–15 March 2026',
  lastScanDate: '1 Mar 2026, 10:00',
  lastScanWords: 'On its way',
  daysSinceScan: 2,
  supportHours: 48,
};

describe('the customer page helper understands', () => {
  it.each([
    ['Where is my parcel?', 'where_is_it'],
    ['When will it arrive?', 'when_arrive'],
    ['Why is there no update?', 'why_no_update'],
    ['What are my options?', 'options'],
    ['Can I talk to a human?', 'person'],
    ['It says delivered but I never got it', 'delivered_not_received'],
    ['I want a refund', 'wants_refund'],
    ['¿Dónde está mi paquete?', 'where_is_it'],
    ['¿Cuándo llegará?', 'when_arrive'],
    ['¿Por qué no hay novedades?', 'why_no_update'],
    ['Quiero hablar con una persona', 'person'],
    ['Wann kommt mein Paket?', 'when_arrive'],
    ['Welche Möglichkeiten habe ich?', 'options'],
    ['Quand arrivera mon colis ?', 'when_arrive'],
    ['Quando chega meu pedido?', 'when_arrive'],
    ['いつ届きますか？', 'when_arrive'],
    ['担当者と話したい', 'person'],
    ['我的包裹在哪里', 'where_is_it'],
    ['什么时候到？', 'when_arrive'],
    ['我要退款', 'wants_refund'],
    ['banana', 'other'],
  ])('%s → %s', (message, intent) => {
    expect(helperIntent(message).intent).toBe(intent);
  });
});

describe('the customer page helper answers', () => {
  it('with the expected delivery, in the language asked', () => {
    expect(helperReply('When will it arrive?', moving, { misses: 0 }, 'en').answer).toBe(
      'We expect it 12–15 March 2026.',
    );
    expect(helperReply('いつ届きますか？', moving, { misses: 0 }, 'en')).toMatchObject({
      language: 'ja',
      answer: 'お届け予定は 12–15 March 2026 です。',
      handover: false,
    });
    expect(helperReply('¿Cuándo llegará?', moving, { misses: 0 }, 'en').answer).toBe(
      'Lo esperamos 12–15 March 2026.',
    );
  });

  it('with what the date is based on, and for a parcel past almost all on its route, why there is no date', () => {
    const basis =
      'Based on 31 recent deliveries on this route, of parcels still on the way after 9 days.';
    expect(
      helperReply('When will it arrive?', { ...moving, expectedBasis: basis }, { misses: 0 }, 'en')
        .answer,
    ).toBe(`We expect it 12–15 March 2026. ${basis}`);
    const { expected: _none, ...undated } = moving;
    const overdue = 'Your parcel has been on the way for 30 days, longer than almost all parcels';
    expect(
      helperReply(
        'When will it arrive?',
        { ...undated, expectedBasis: overdue },
        { misses: 0 },
        'en',
      ).answer,
    ).toBe(overdue);
  });

  it('without a date it says so rather than inventing one', () => {
    const { expected: _none, ...undated } = moving;
    expect(helperReply('什么时候到？', undated, { misses: 0 }, 'en').answer).toBe(
      '目前还没有预计送达日期，一有消息我们就会写信告诉您。',
    );
  });

  it('why no update: a few quiet days are normal, a long spell is watched, a review is said', () => {
    const q = 'Why is there no update?';
    expect(helperReply(q, moving, { misses: 0 }, 'en').answer).toContain('this is normal');
    expect(helperReply(q, { ...moving, daysSinceScan: 9 }, { misses: 0 }, 'en').answer).toContain(
      '9 days ago. That is longer than usual',
    );
    expect(
      helperReply(q, { ...moving, status: 'investigating' }, { misses: 0 }, 'en').answer,
    ).toContain('already checking with the carrier');
  });

  it('where is it: the last scan, or the replacement after a reship', () => {
    expect(helperReply('Where is my parcel?', moving, { misses: 0 }, 'de').answer).toBe(
      'Your parcel (YunExpress YT123): On its way. The carrier’s latest scan, on 1 Mar 2026, 10:00: On its way.',
    );
    expect(
      helperReply(
        'Wo ist mein Paket?',
        { ...moving, replacementTracking: 'RP9' },
        { misses: 0 },
        'en',
      ).answer,
    ).toBe(
      'Wir haben Ihnen einen Ersatz geschickt: Sendungsnummer RP9. Sie können ihn auf dieser Seite verfolgen.',
    );
  });

  it('delivered but not received asks to check neighbours before anything else', () => {
    const delivered = { ...moving, status: 'delivered' as const, deliveredDate: '3 Mar 2026' };
    const reply = helperReply(
      'It says delivered but I never got it',
      delivered,
      { misses: 0 },
      'en',
    );
    expect(reply.handover).toBe(false);
    expect(reply.answer).toContain('Please check with neighbours');
  });

  it('a refund or a person asked for goes to a colleague, with the reply time', () => {
    expect(helperReply('我要退款', moving, { misses: 0 }, 'en')).toMatchObject({
      handover: true,
      inquiryIntent: 'wants_refund',
      answer: '我已把我们的对话转给同事，他们会在 48 小时内通过邮件回复您。',
    });
    expect(helperReply('Quiero hablar con una persona', moving, { misses: 0 }, 'en')).toMatchObject(
      {
        handover: true,
        inquiryIntent: 'other',
      },
    );
  });

  it('what it does not understand twice in a row goes to a person', () => {
    const first = helperReply('banana', moving, { misses: 0 }, 'en');
    expect(first).toMatchObject({ handover: false, state: { misses: 1 } });
    expect(first.answer).toContain('I did not understand');
    const second = helperReply('banana split', moving, first.state, 'en');
    expect(MISSES_BEFORE_HANDOVER).toBe(2);
    expect(second).toMatchObject({ handover: true, inquiryIntent: 'other' });
    // An understood question in between starts the count again.
    const between = helperReply('Where is my parcel?', moving, first.state, 'en');
    expect(between.state.misses).toBe(0);
  });

  it('a Spanish conversation of three turns ends with a hand-over', () => {
    let state = { misses: 0 };
    const turns = [
      '¿Dónde está mi paquete?',
      '¿Por qué no hay novedades?',
      'Quiero hablar con una persona',
    ];
    const replies = turns.map((q) => {
      const r = helperReply(q, moving, state, 'en');
      state = r.state;
      return r;
    });
    expect(replies.map((r) => r.intent)).toEqual(['where_is_it', 'why_no_update', 'person']);
    expect(replies.every((r) => r.language === 'es')).toBe(true);
    expect(replies[2]!.answer).toBe(
      'He pasado nuestra conversación a un compañero, que te responderá por correo en menos de 48 horas.',
    );
  });
});
