import type { Strings } from '../index';

const strings: Strings = {
  en: {
    title: 'Failing messages',
    caption: 'Customer messages that keep failing, retried with backoff',
    none: 'No failing messages.',
    more: 'More',
    col: {
      shipment: 'Shipment',
      kind: 'Kind',
      to: 'To',
      attempts: 'Attempts',
      error: 'Last error',
      next: 'Next attempt',
    },
  },
  zh: {
    title: '发送失败的消息',
    caption: '持续发送失败、正在按退避策略重试的客户消息',
    none: '没有发送失败的消息。',
    more: '更多',
    col: {
      shipment: '包裹',
      kind: '类型',
      to: '收件人',
      attempts: '尝试次数',
      error: '最后错误',
      next: '下次尝试',
    },
  },
};
export default strings;
