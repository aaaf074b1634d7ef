import type { Theme } from '../../app/theme.js';

/**
 * Chart colours per theme: canvas needs concrete colours, so charts are re-created when the theme
 * changes. Series colours are distinguishable for the common colour-vision deficiencies (Okabe–Ito-like).
 */
export interface ChartColors {
  axis: string;
  grid: string;
  series: readonly string[];
}

const LIGHT: ChartColors = {
  axis: '#5b6472',
  grid: 'rgba(15, 23, 42, 0.08)',
  series: [
    '#2563eb',
    '#e69f00',
    '#009e73',
    '#cc79a7',
    '#56b4e9',
    '#d55e00',
    '#7c3aed',
    '#6b7280',
    '#0f766e',
    '#b45309',
    '#be123c',
    '#4d7c0f',
  ],
};

const DARK: ChartColors = {
  axis: '#9aa4b2',
  grid: 'rgba(226, 232, 240, 0.09)',
  series: [
    '#60a5fa',
    '#f5b83d',
    '#34d399',
    '#f0a3d0',
    '#7dd3fc',
    '#fb8a4c',
    '#a78bfa',
    '#9ca3af',
    '#2dd4bf',
    '#fbbf24',
    '#fb7185',
    '#a3e635',
  ],
};

export function chartColors(theme: Theme): ChartColors {
  return theme === 'dark' ? DARK : LIGHT;
}

export function seriesColor(colors: ChartColors, i: number): string {
  return colors.series[i % colors.series.length] as string;
}
