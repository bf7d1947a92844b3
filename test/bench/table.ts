/** Renders evaluated rows as a fixed-width text table. */

import { SERVER_KINDS, SERVER_LABELS } from './bench-config.ts';
import type { Cell, EvaluatedRow, Row, Target } from './comparison.ts';

function formatValue(value: number, unit: Row['unit']): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'bytes':
      return `${Math.round(value).toLocaleString('en-US')} B`;
    case 'count':
      return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
    case 'rate':
      return `${Math.round(value).toLocaleString('en-US')}/s`;
    case 'ms':
      return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
    case 'cores':
      return `${(value * 100).toFixed(0)} %`;
    default:
      return unit satisfies never;
  }
}

function formatCell(cell: Cell, unit: Row['unit']): string {
  return typeof cell === 'number' ? formatValue(cell, unit) : cell;
}

function formatTarget(target: Target | null, unit: Row['unit']): string {
  if (target === null) return '';
  switch (target.kind) {
    case 'ratio-at-most':
      return `≤ ${target.value}× best`;
    case 'ratio-at-least':
      return `≥ ${target.value}× best`;
    case 'below':
      return `< ${formatValue(target.value, unit)}`;
    default:
      return target satisfies never;
  }
}

export function renderTable(rows: readonly EvaluatedRow[]): string {
  const header = ['Figure', ...SERVER_KINDS.map((kind) => SERVER_LABELS[kind]), 'ours ÷ best other', 'target', 'met'];
  const body = rows.map((row) => [
    row.label,
    ...SERVER_KINDS.map((kind) => formatCell(row.values[kind], row.unit)),
    row.ratio === null ? '' : `${row.ratio.toFixed(2)}×`,
    formatTarget(row.target, row.unit),
    row.isMet === null ? (row.target === null ? '' : '?') : row.isMet ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((line) => (line[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((text, column) => (column === 0 ? text.padEnd(widths[column] ?? 0) : text.padStart(widths[column] ?? 0))).join('  ');
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}
