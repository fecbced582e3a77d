// A uPlot chart of the fleet's cumulative tokens (left axis) and cost (right axis) over time.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Aligned } from '../chartData.js';
import { formatCost, formatTokens } from '../format.js';

const HEIGHT = 220;

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v !== '' ? v : fallback;
}

function options(width: number): uPlot.Options {
  const axis = cssVar('--muted', '#888');
  const grid = cssVar('--line', '#444');
  const axisBase = { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: HEIGHT,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, tokens: { auto: true }, cost: { auto: true } },
    series: [
      {},
      {
        label: 'Tokens',
        scale: 'tokens',
        stroke: cssVar('--accent', '#4c8dff'),
        width: 2,
        value: (_u, v) => (v === null ? '—' : formatTokens(v)),
      },
      {
        label: 'Cost',
        scale: 'cost',
        stroke: cssVar('--ok', '#3aa675'),
        width: 2,
        value: (_u, v) => (v === null ? '—' : formatCost(v)),
      },
    ],
    axes: [
      { ...axisBase },
      { ...axisBase, scale: 'tokens', size: 56, values: (_u, vals) => vals.map((v) => formatTokens(v)) },
      {
        ...axisBase,
        scale: 'cost',
        side: 1,
        size: 64,
        grid: { show: false },
        values: (_u, vals) => vals.map((v) => formatCost(v)),
      },
    ],
  };
}

export function FleetChart({ data }: { data: Aligned }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = (): number => Math.max(240, Math.floor(el.clientWidth));
    const u = new uPlot(options(width()), data, el);
    plot.current = u;
    let ro: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      ro = new ResizeObserver(() => u.setSize({ width: width(), height: HEIGHT }));
      ro.observe(el);
    }
    return () => {
      ro?.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return html`<div class="chart" ref=${box} role="img" aria-label="Cumulative tokens and cost over time"></div>`;
}
