import type { Strings } from '../index';

const strings: Strings = {
  en: {
    title: 'Shipment {{id}}',
    back: 'Back to the queue',
    temporal: 'Open the workflow in the Temporal UI',
    decoded: 'Open Temporal UI with payloads decoded',
    decodedOpen:
      'Codec session open for 8 hours. In the Temporal UI, turn on “Include cross-origin credentials” under Data Encoder once.',
    popupBlocked:
      'The browser blocked the new tab: allow pop-ups for the console, or use the link.',
    facts: {
      stage: 'Stage',
      order: 'Order',
      carrier: 'Carrier',
      destination: 'Destination',
      value: 'Declared value',
      registered: 'Registered',
      review: 'Review',
      reviewText: '{{decision}} by {{reviewer}}, {{at}}',
      note: 'Note',
    },
    timeline: 'Timeline',
    timelineCaption: 'Tracking events, stage changes, reship and claim, oldest first',
    history: 'Workflow history',
    historyCaption: 'What the workflow did, from its event history',
    col: { when: 'When', what: 'What', detail: 'Detail', who: 'Who' },
    empty: 'No entries yet.',
  },
  zh: {
    title: '包裹 {{id}}',
    back: '返回审核队列',
    temporal: '在 Temporal UI 中打开工作流',
    decoded: '在 Temporal UI 中打开（解码载荷）',
    decodedOpen:
      '编解码会话已开启 8 小时。请在 Temporal UI 的 Data Encoder 中开启一次“Include cross-origin credentials”。',
    popupBlocked: '浏览器拦截了新标签页：请允许控制台弹出窗口，或使用链接。',
    facts: {
      stage: '阶段',
      order: '订单',
      carrier: '承运商',
      destination: '目的地',
      value: '申报价值',
      registered: '登记时间',
      review: '审核',
      reviewText: '{{reviewer}} 于 {{at}} 决定：{{decision}}',
      note: '备注',
    },
    timeline: '时间线',
    timelineCaption: '跟踪事件、阶段变化、补发和索赔，按时间先后',
    history: '工作流历史',
    historyCaption: '工作流执行的操作（来自其事件历史）',
    col: { when: '时间', what: '事件', detail: '详情', who: '操作人' },
    empty: '暂无记录。',
  },
};
export default strings;
