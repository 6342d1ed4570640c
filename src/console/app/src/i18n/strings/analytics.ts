import type { Strings } from '../index';

const strings: Strings = {
  en: {
    title: 'Analytics',
    filter: {
      from: 'Shipped from',
      to: 'Shipped before',
      carrier: 'Carrier',
      origin: 'From country',
      destination: 'To country',
      apply: 'Apply filters',
    },
    view: 'Chart',
    by: 'Per',
    measure: 'Measure',
    table: { carriers: 'Carrier', lanes: 'Lane', months: 'Month' },
    rate: {
      lossRate: 'Loss rate',
      delayRate: 'Delay rate',
      flaggedRate: 'Share flagged for review',
    },
    chartTitle: '{{rate}} per {{by}}',
    sample: 'Shipments in the selection: {{n}}. Each bar shows its own sample (n).',
    empty: 'No shipments match these filters.',
    exports: 'Exports',
    exportsHint: 'CSV files with the carrier, destination and dates chosen above.',
    export: {
      shipments: 'Shipments (CSV)',
      reviews: 'Open reviews (CSV)',
      claims: 'Claims (CSV)',
      table: 'This table: {{table}} (CSV)',
    },
  },
  zh: {
    title: '数据分析',
    filter: {
      from: '发货起始日期',
      to: '发货截止日期（不含）',
      carrier: '承运商',
      origin: '始发国家',
      destination: '目的国家',
      apply: '应用筛选',
    },
    view: '图表',
    by: '维度',
    measure: '指标',
    table: { carriers: '承运商', lanes: '线路', months: '月份' },
    rate: {
      lossRate: '丢失率',
      delayRate: '延误率',
      flaggedRate: '进入审核的比例',
    },
    chartTitle: '按{{by}}的{{rate}}',
    sample: '所选范围内的包裹：{{n}}。每个柱条显示各自的样本量（n）。',
    empty: '没有符合筛选条件的包裹。',
    exports: '导出',
    exportsHint: '按上方所选承运商、目的地和日期导出 CSV 文件。',
    export: {
      shipments: '包裹（CSV）',
      reviews: '待审核（CSV）',
      claims: '索赔（CSV）',
      table: '当前表格：{{table}}（CSV）',
    },
  },
};
export default strings;
