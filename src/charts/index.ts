export { barChart, type Bar, type BarChartOptions } from './bar';
export { lineChart, type LineChartOptions, type Series } from './line';
export { stackedBarChart, type StackedBarChartOptions } from './stacked';
export { escapeXml } from './svg';
