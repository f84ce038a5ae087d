/**
 * A small horizontal bar chart as SVG text: the baseline (1.0), the figure's median ratio with its
 * range over the rounds, and the target as a dashed line. Hand-rolled: two bars do not need a
 * charting library.
 */
export interface BarChart {
  readonly title: string;
  readonly baseline: string;
  readonly ratio: number;
  readonly min: number;
  readonly max: number;
  readonly target: number;
  /** The target is an upper bound (e.g. a latency ratio). */
  readonly below?: boolean;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const barChart = (c: BarChart): string => {
  const width = 560;
  const left = 170;
  const plot = width - left - 20;
  const scaleMax = Math.max(1, c.max, c.target) * 1.1;
  const x = (v: number) => left + (v / scaleMax) * plot;
  const held = c.below ? c.ratio <= c.target : c.ratio >= c.target;
  const bar = (y: number, label: string, value: number, colour: string) =>
    `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(label)}</text>` +
    `<rect x="${left}" y="${y}" width="${(x(value) - left).toFixed(1)}" height="22" fill="${colour}"/>` +
    `<text x="${(x(value) + 4).toFixed(1)}" y="${y + 15}">${value.toFixed(2)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="120" font-family="sans-serif" font-size="12">
<text x="10" y="18" font-weight="bold">${escape(c.title)}</text>
${bar(32, c.baseline.length > 24 ? `${c.baseline.slice(0, 23)}…` : c.baseline, 1, '#9aa5b1')}
${bar(64, 'Portside (median ratio)', c.ratio, held ? '#2f855a' : '#c53030')}
<line x1="${x(c.min).toFixed(1)}" y1="75" x2="${x(c.max).toFixed(1)}" y2="75" stroke="#1a202c" stroke-width="2"/>
<line x1="${x(c.target).toFixed(1)}" y1="28" x2="${x(c.target).toFixed(1)}" y2="92" stroke="#1a202c" stroke-dasharray="4 3"/>
<text x="${x(c.target).toFixed(1)}" y="108" text-anchor="middle">target ${c.below ? '<=' : '>='} ${c.target}</text>
</svg>
`;
};
