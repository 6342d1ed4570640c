import { describe, expect, it } from 'vitest';
import { barChart, lineChart, stackedBarChart } from '../../src/charts';
import { linearScale, niceStep } from '../../src/charts/scale';

/** A parsed XML element: enough of XML to check what the charts emit. */
interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => {
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(s)) throw new Error(`bare & in ${s}`);
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!);
};

/** A strict little XML parser: throws on unbalanced tags, unquoted attributes or bare < and &. */
function parseXml(xml: string): Node {
  let i = 0;
  const root: Node = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: Node[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textPart = xml.slice(i, lt < 0 ? xml.length : lt);
    if (textPart) {
      if (textPart.includes('>')) throw new Error(`bare > in text ${textPart}`);
      stack[stack.length - 1]!.text += decode(textPart);
    }
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop()!;
      if (open.name !== tag.slice(1)) throw new Error(`</${tag.slice(1)}> closes <${open.name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*$/.exec(body);
    if (!m) throw new Error(`malformed tag <${tag}>`);
    const node: Node = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (const a of m[2]!.matchAll(/([\w:-]+)="([^"]*)"/g)) node.attrs[a[1]!] = decode(a[2]!);
    stack[stack.length - 1]!.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  expect(root.children).toHaveLength(1);
  return root.children[0]!;
}

function all(node: Node, pred: (n: Node) => boolean): Node[] {
  return [...(pred(node) ? [node] : []), ...node.children.flatMap((c) => all(c, pred))];
}
const byClass = (node: Node, cls: string) =>
  all(node, (n) => (n.attrs.class ?? '').split(' ').includes(cls));

describe('scales', () => {
  it('a nice step is 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0.43)).toBe(0.1);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(230)).toBe(50);
    expect(niceStep(0)).toBe(1);
  });

  it('the axis runs from 0 to a round number at or above the largest value', () => {
    const s = linearScale([0.43, 0.12], 0, 100);
    expect(s.max).toBeCloseTo(0.5);
    expect(s.ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(s.y(0)).toBe(100);
    expect(s.y(0.5)).toBe(0);
  });
});

describe('bar chart', () => {
  const svg = barChart({
    title: 'Loss rate per carrier',
    description: 'yanwen 40 %, usps 10 %, and <script>alert("x")</script> & co 20 %',
    bars: [
      { label: 'yanwen', value: 0.4 },
      { label: 'usps', value: 0.1, highlight: true },
      { label: '<script>alert("x")</script> & co', value: 0.2 },
      { label: 'no data', value: null },
    ],
    yLabel: 'Loss rate',
    format: 'percent',
    reference: { value: 0.05, label: 'threshold 5 %' },
  });
  const doc = parseXml(svg);

  it('is a well-formed, accessible SVG: role img, labelled by its title and description', () => {
    expect(doc.name).toBe('svg');
    expect(doc.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(doc.attrs.role).toBe('img');
    const [title] = doc.children.filter((c) => c.name === 'title');
    const [desc] = doc.children.filter((c) => c.name === 'desc');
    expect(title?.text).toBe('Loss rate per carrier');
    expect(desc?.text).toContain('<script>alert("x")</script> & co 20 %');
    expect(doc.attrs['aria-labelledby']).toBe(`${title!.attrs.id} ${desc!.attrs.id}`);
  });

  it('draws one bar per value, heights proportional to the values, none for a missing value', () => {
    const bars = byClass(doc, 'bar');
    expect(bars.map((b) => b.attrs['data-label'])).toEqual([
      'yanwen',
      'usps',
      '<script>alert("x")</script> & co',
    ]);
    const heights = bars.map((b) => Number(b.attrs.height));
    expect(heights[0]! / heights[1]!).toBeCloseTo(4, 1);
    expect(heights[2]! / heights[1]!).toBeCloseTo(2, 1);
    // Bars stand on the x axis.
    const axis = byClass(doc, 'x-axis')[0]!.children.find((c) => c.name === 'line')!;
    for (const b of bars) {
      expect(Number(b.attrs.y) + Number(b.attrs.height)).toBeCloseTo(Number(axis.attrs.y1), 1);
    }
    expect(byClass(doc, 'highlight').map((b) => b.attrs['data-label'])).toEqual(['usps']);
    expect(byClass(doc, 'value').map((v) => v.text)).toEqual(['40 %', '10 %', '20 %', 'n/a']);
  });

  it('escapes text: a label that looks like markup stays text', () => {
    expect(svg).not.toContain('<script>');
    expect(all(doc, (n) => n.name === 'script')).toHaveLength(0);
    const categories = byClass(doc, 'category').map((c) => c.text);
    expect(categories).toContain('<script>alert("x")</script> & co');
  });

  it('labels the axes with ticks and draws the reference line', () => {
    const ticks = byClass(doc, 'tick').map((t) => t.children.find((c) => c.name === 'text')!.text);
    expect(ticks).toEqual(['0 %', '10 %', '20 %', '30 %', '40 %']);
    expect(byClass(doc, 'axis-label')[0]!.text).toBe('Loss rate');
    expect(byClass(doc, 'reference')[0]!.children.find((c) => c.name === 'text')!.text).toBe(
      'threshold 5 %',
    );
  });

  it('an empty chart says so instead of drawing nothing', () => {
    const empty = parseXml(barChart({ title: 't', description: 'd', bars: [], yLabel: 'y' }));
    expect(byClass(empty, 'empty')[0]!.text).toBe('No data for these filters');
  });
});

describe('line chart over months', () => {
  const doc = parseXml(
    lineChart({
      title: 'Loss and delay rate per month',
      description: 'd',
      categories: ['2026-01', '2026-02', '2026-03', '2026-04'],
      series: [
        { name: 'Loss rate', values: [0.1, 0.2, null, 0.4] },
        { name: 'Delay rate', values: [0.3, 0.3, 0.3, 0.3] },
      ],
      yLabel: 'Rate',
      format: 'percent',
    }),
  );

  it('draws a point per known value, left to right, higher values higher up', () => {
    const [loss, delay] = byClass(doc, 'series');
    expect(loss!.attrs['data-series']).toBe('Loss rate');
    const points = byClass(loss!, 'point');
    expect(points.map((p) => Number(p.attrs['data-value']))).toEqual([0.1, 0.2, 0.4]);
    const xs = points.map((p) => Number(p.attrs.cx));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    const ys = points.map((p) => Number(p.attrs.cy));
    expect(ys[0]!).toBeGreaterThan(ys[1]!);
    // A gap splits the line: only the first two points are joined.
    expect(byClass(loss!, 'line')).toHaveLength(1);
    expect(byClass(delay!, 'line')[0]!.attrs.points!.split(' ')).toHaveLength(4);
    expect(byClass(doc, 'category').map((c) => c.text)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
    ]);
    expect(byClass(doc, 'legend-item').map((l) => l.children[1]!.text)).toEqual([
      'Loss rate',
      'Delay rate',
    ]);
  });
});

describe('stacked bar chart', () => {
  it('stacks each series on the one below, the stack as tall as the total', () => {
    const doc = parseXml(
      stackedBarChart({
        title: 'Reship costs',
        description: 'd',
        categories: ['yanwen (USD)', 'usps (USD)'],
        series: [
          { name: 'Postage', values: [10, 5] },
          { name: 'Goods', values: [30, 15] },
        ],
        yLabel: 'Cost',
      }),
    );
    const stacks = byClass(doc, 'stack');
    expect(stacks.map((s) => s.attrs['data-total'])).toEqual(['40', '20']);
    const [postage, goods] = stacks[0]!.children;
    // Goods sits right on top of postage.
    expect(Number(goods!.attrs.y) + Number(goods!.attrs.height)).toBeCloseTo(
      Number(postage!.attrs.y),
      1,
    );
    expect(Number(goods!.attrs.height) / Number(postage!.attrs.height)).toBeCloseTo(3, 1);
    const second = stacks[1]!.children.map((c) => Number(c.attrs.height));
    expect((second[0]! + second[1]!) * 2).toBeCloseTo(
      Number(postage!.attrs.height) + Number(goods!.attrs.height),
      0,
    );
  });
});
