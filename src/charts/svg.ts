/** Escapes text for SVG/XML text content and attribute values. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Coordinates with at most two decimals keep the markup small and stable. */
export const num = (n: number): string => String(Math.round(n * 100) / 100);

export function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v!)}"`)
    .join('');
}

export function el(
  name: string,
  a: Record<string, string | number | undefined>,
  children: string[] | string = [],
): string {
  const inner = Array.isArray(children) ? children.join('') : children;
  return inner ? `<${name}${attrs(a)}>${inner}</${name}>` : `<${name}${attrs(a)}/>`;
}

export const text = (a: Record<string, string | number | undefined>, content: string): string =>
  el('text', a, escapeXml(content));

export interface Frame {
  width: number;
  height: number;
  /** Plot area inside the axes. */
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function frame(width: number, height: number, bottomMargin = 60): Frame {
  return { width, height, left: 64, top: 40, right: width - 16, bottom: height - bottomMargin };
}

/** The outer element with the accessible name (title) and description every chart carries. */
export function svgDocument(
  f: Frame,
  title: string,
  description: string,
  body: string[],
  idPrefix = 'chart',
): string {
  const tid = `${idPrefix}-title`;
  const did = `${idPrefix}-desc`;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: f.width,
      height: f.height,
      viewBox: `0 0 ${f.width} ${f.height}`,
      role: 'img',
      'aria-labelledby': `${tid} ${did}`,
      'font-family': 'system-ui, sans-serif',
      'font-size': 12,
    },
    [
      el('title', { id: tid }, escapeXml(title)),
      el('desc', { id: did }, escapeXml(description)),
      text({ x: f.left, y: 22, 'font-size': 15, 'font-weight': 'bold', class: 'heading' }, title),
      ...body,
    ],
  );
}
