import type { Strings } from '../index';

const strings: Strings = {
  en: {
    title: 'Search shipments',
    hint: 'Search by order number, tracking number, shipment id, customer e-mail or name.',
    results: 'Shipments matching “{{q}}”',
    none: 'No shipment matches “{{q}}”.',
    more: 'More results',
    col: {
      shipment: 'Shipment',
      order: 'Order',
      customer: 'Customer',
      stage: 'Stage',
      carrier: 'Carrier',
      value: 'Value',
      created: 'Created',
    },
  },
  zh: {
    title: '搜索包裹',
    hint: '可按订单号、运单号、包裹编号、客户邮箱或姓名搜索。',
    results: '与“{{q}}”匹配的包裹',
    none: '没有与“{{q}}”匹配的包裹。',
    more: '更多结果',
    col: {
      shipment: '包裹',
      order: '订单',
      customer: '客户',
      stage: '阶段',
      carrier: '承运商',
      value: '价值',
      created: '创建时间',
    },
  },
};
export default strings;
