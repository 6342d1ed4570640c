import type { Strings } from '../index';

/** The API's codes in plain words: suspicion reasons and workflow stages. */
const strings: Strings = {
  en: {
    reason: {
      stalled: 'stalled',
      overdue: 'overdue',
      carrier_lost: 'lost by carrier',
      carrier_damaged: 'damaged by carrier',
      inquiry_surge: 'many customer inquiries',
      customs_hold: 'held in customs',
      failed_attempts: 'failed delivery attempts',
      delivered_not_received: 'delivered, not received',
      carrier_stopped_tracking: 'carrier stopped tracking',
      carrier_returning: 'returning to sender',
      customs_seized: 'seized by customs',
      address_problem: 'address problem',
    },
    stage: {
      monitoring: 'monitoring',
      verifying: 'verifying',
      awaiting_review: 'awaiting review',
      reshipping: 'reshipping',
      refunding: 'refunding',
      notifying: 'notifying the customer',
      claiming: 'claiming from the carrier',
      delivered: 'delivered',
      closed: 'closed',
    },
  },
  zh: {
    reason: {
      stalled: '停滞',
      overdue: '逾期',
      carrier_lost: '承运商丢失',
      carrier_damaged: '承运商损坏',
      inquiry_surge: '客户询问较多',
      customs_hold: '海关扣留',
      failed_attempts: '投递失败',
      delivered_not_received: '已送达但未收到',
      carrier_stopped_tracking: '承运商停止跟踪',
      carrier_returning: '正在退回寄件人',
      customs_seized: '被海关没收',
      address_problem: '地址问题',
    },
    stage: {
      monitoring: '监控中',
      verifying: '核实中',
      awaiting_review: '等待审核',
      reshipping: '补发中',
      refunding: '退款中',
      notifying: '通知客户中',
      claiming: '向承运商索赔中',
      delivered: '已送达',
      closed: '已关闭',
    },
  },
};
export default strings;
