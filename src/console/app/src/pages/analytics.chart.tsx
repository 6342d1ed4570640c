import { useEffect, useRef } from 'preact/hooks';

/** ECharts is loaded with the first chart, in its own chunk: the queue never waits for it. */
let loaded: Promise<(typeof import('./analytics.echarts'))['echarts']> | undefined;
function loadECharts() {
  loaded ??= import('./analytics.echarts').then((m) => m.echarts);
  return loaded;
}

export interface Bar {
  label: string;
  /** A share (0–1) or null when its sample is empty. */
  value: number | null;
  /** The sample the share stands on. */
  n: number;
}

/**
 * A horizontal bar chart of shares, each bar labelled with its percentage and n=…, drawn by ECharts
 * on a canvas (no hand-written SVG). Tooltips are drawn on the canvas too (`richText`): HTML
 * tooltips would carry inline styles the console's CSP refuses.
 */
export function ShareChart(props: { bars: Bar[]; title: string; locale: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = el.current;
    if (!host) return;
    let chart: ReturnType<Awaited<ReturnType<typeof loadECharts>>['init']> | undefined;
    let gone = false;
    // The chart follows its box (a narrower window, a rotated phone), not only the window.
    const observer = new ResizeObserver(() => chart?.resize());
    void loadECharts().then((echarts) => {
      if (gone) return;
      chart = echarts.init(host, undefined, { renderer: 'canvas', locale: 'EN' });
      draw(chart);
      observer.observe(host);
    });
    return () => {
      gone = true;
      observer.disconnect();
      chart?.dispose();
    };
  }, [props.bars, props.title, props.locale]);

  function draw(chart: { setOption: (o: object) => void }) {
    const pct = new Intl.NumberFormat(props.locale, { style: 'percent', maximumFractionDigits: 1 });
    const num = new Intl.NumberFormat(props.locale);
    const text = (b: Bar) =>
      `${b.value === null ? '—' : pct.format(b.value)} (n=${num.format(b.n)})`;
    chart.setOption({
      aria: { enabled: true, label: { description: props.title } },
      grid: { left: 8, right: 96, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'item',
        renderMode: 'richText',
        formatter: (p: { dataIndex: number }) => {
          const b = props.bars[p.dataIndex]!;
          return `${b.label}: ${text(b)}`;
        },
      },
      xAxis: {
        type: 'value',
        min: 0,
        max: 1,
        axisLabel: { formatter: (v: number) => pct.format(v) },
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: props.bars.map((b) => b.label),
        axisLabel: { width: 140, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          data: props.bars.map((b) => b.value ?? 0),
          itemStyle: { color: '#1d4ed8' },
          label: {
            show: true,
            position: 'right',
            color: '#111827',
            formatter: (p: { dataIndex: number }) => text(props.bars[p.dataIndex]!),
          },
        },
      ],
    });
  }
  // The chart's height follows its bar count (a class per size keeps the CSP: no inline style).
  const size = props.bars.length <= 4 ? 's' : props.bars.length <= 10 ? 'm' : 'l';
  return (
    <div ref={el} class={`share-chart share-chart-${size}`} role="img" aria-label={props.title} />
  );
}
