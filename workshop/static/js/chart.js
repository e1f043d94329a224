// Bar charts drawn as SVG by hand: every bar carries its label and count in words, not colour alone.

import { CHOICES } from './labels.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Return an SVG bar chart of one proposal's agree/disagree/abstain counts. */
export function voteChart(counts) {
  const total = CHOICES.reduce((sum, [key]) => sum + (counts[key] || 0), 0);
  const row = 44;
  const width = 440;
  const label = 140;
  const room = width - label - 115;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${row * CHOICES.length}`, class: 'chart', role: 'img' });
  const summary = CHOICES.map(([key, name]) => `${name} ${counts[key] || 0}`).join(', ');
  chart.setAttribute('aria-label', `${summary} (${total} votes)`);
  CHOICES.forEach(([key, name], i) => {
    const n = counts[key] || 0;
    const share = total ? n / total : 0;
    const y = i * row;
    chart.append(
      svg('text', { x: 0, y: y + 28, 'font-size': 24 }, name),
      svg('rect', { x: label, y: y + 8, width: room, height: 28, class: 'track' }),
      svg('rect', { x: label, y: y + 8, width: Math.max(share * room, n ? 3 : 0), height: 28, class: `bar-${key}` }),
      svg('text', { x: label + room + 10, y: y + 30, 'font-size': 24, 'font-weight': 700 }, `${n} (${Math.round(share * 100)}%)`),
    );
  });
  return chart;
}
