// Rating (e-Delphi), ranking and dot-voting rounds on the phone: one thumb, large targets, progress in words.

import { h, setText } from './dom.js';
import { subjectText } from './labels.js';

const UNABLE = 'unable';

function helpOf(state, subject) {
  const [kind, id] = subject.split(':');
  if (kind !== 'item' || !state.draft) return '';
  for (const d of state.draft.domains) for (const t of d.topics) for (const i of t.items) if (i.id === id) return i.help;
  return '';
}

function scalePoints(round) {
  const scale = round.config.rule.scale;
  const points = [];
  for (let p = scale.min; p <= scale.max; p += 1) points.push(p);
  return { points, scale };
}

function myRating(round, ctx, subject) {
  const pending = ctx.pendingVote(round.id, subject);
  const value = pending ? pending.value : (round.my_votes || {})[subject];
  return value === undefined || value === null ? null : String(value);
}

function feedbackText(feedback) {
  if (!feedback) return null;
  const group = feedback.group || {};
  const own = feedback.your_previous_rating;
  const parts = [];
  if (group.suppressed) parts.push('The group\u2019s previous ratings are not shown (too few).');
  else if (group.distribution) {
    const spread = Object.entries(group.distribution).filter(([, n]) => n > 0).map(([p, n]) => `${p}: ${n}`).join(', ');
    parts.push(spread ? `Last round the group rated: ${spread}${group.median != null ? ` (median ${group.median})` : ''}.`
      : 'Last round nobody gave it a rating.');
  }
  parts.push(own == null ? 'You did not rate it last round.' : `Your rating last round: ${own === UNABLE ? 'unable to rate' : own}.`);
  return h('p', { class: 'feedback' }, parts.join(' '));
}

/** rating: one question at a time, the scale as big buttons, "unable to rate", and how many are done. */
function rating(container, round, ctx) {
  ctx.ensureFeedback(round);
  const { points, scale } = scalePoints(round);
  const subjects = round.subjects;
  if (container.dataset.round !== String(round.id)) {
    container.dataset.round = String(round.id);
    container.dataset.index = String(Math.max(0, subjects.findIndex((s) => myRating(round, ctx, s) === null)));
  }
  const index = Math.min(Number(container.dataset.index || 0), subjects.length - 1);
  const subject = subjects[index];
  const chosen = myRating(round, ctx, subject);
  const done = subjects.filter((s) => myRating(round, ctx, s) !== null).length;
  const bands = scale.bands;
  const go = (step) => {
    container.dataset.index = String(Math.min(subjects.length - 1, Math.max(0, index + step)));
    rating(container, round, ctx);
  };
  const choose = async (value, label) => {
    await ctx.vote(round, subject, value, label);
    if (index < subjects.length - 1) go(1);
  };
  const open = round.status === 'open';
  const headingId = `rate-${round.id}`;
  container.replaceChildren(
    h('p', { class: 'progress', 'aria-live': 'polite' }, `${done} of ${subjects.length} rated · question ${index + 1} of ${subjects.length}`),
    h('article', { class: 'card', 'data-subject': subject, 'aria-labelledby': headingId },
      h('h3', { id: headingId }, subjectText(ctx.state, subject)),
      helpOf(ctx.state, subject) ? h('p', { class: 'help' }, helpOf(ctx.state, subject)) : null,
      h('p', { class: 'muted' }, `How important is this? ${bands.low[0]}-${bands.low[1]} not important, `
        + `${bands.mid[0]}-${bands.mid[1]} important but not critical, ${bands.high[0]}-${bands.high[1]} critical.`),
      feedbackText((round.feedback || {})[subject]),
      h('div', { class: 'scale', role: 'group', 'aria-labelledby': headingId },
        points.map((p) => h('button', {
          type: 'button', 'aria-pressed': String(chosen === String(p)), disabled: !open,
          onclick: () => choose(p, `Rating ${p}`),
        }, String(p)))),
      h('button', {
        type: 'button', class: 'unable', 'aria-pressed': String(chosen === UNABLE), disabled: !open,
        onclick: () => choose(UNABLE, 'Unable to rate'),
      }, 'Unable to rate'),
      h('p', { class: 'voted', 'aria-live': 'polite' },
        chosen === null ? 'Not rated yet.' : `Your rating: ${chosen === UNABLE ? 'unable to rate' : chosen}. You can change it until the round closes.`)),
    h('div', { class: 'row pager' },
      h('button', { type: 'button', disabled: index === 0, onclick: () => go(-1) }, '\u2190 Previous'),
      h('button', { type: 'button', disabled: index === subjects.length - 1, onclick: () => go(1) }, 'Next \u2192')),
  );
}

/** ranking: tap questions in order of importance (first tap = most important), up to N. */
function ranking(container, round, ctx) {
  const n = round.config.n;
  const key = `rank-${round.id}`;
  const mine = ctx.draftRanking(key) ?? Object.entries(round.my_votes || {})
    .sort((a, b) => Number(a[1]) - Number(b[1])).map(([s]) => s);
  const toggle = (subject) => {
    const next = mine.includes(subject) ? mine.filter((s) => s !== subject) : (mine.length < n ? [...mine, subject] : mine);
    ctx.setDraftRanking(key, next);
    ranking(container, round, ctx);
  };
  container.dataset.round = String(round.id);
  container.replaceChildren(
    h('p', { class: 'progress', 'aria-live': 'polite' }, `Tap up to ${n} in order of importance: ${mine.length} of ${n} chosen.`),
    h('ol', { class: 'ranklist' }, round.subjects.map((subject) => {
      const place = mine.indexOf(subject);
      return h('li', {}, h('button', {
        type: 'button', 'aria-pressed': String(place >= 0), disabled: round.status !== 'open', onclick: () => toggle(subject),
      }, place >= 0 ? `${place + 1}. ` : '', subjectText(ctx.state, subject)));
    })),
    h('button', {
      type: 'button', class: 'primary', disabled: round.status !== 'open' || !mine.length,
      onclick: () => ctx.rank(round, mine),
    }, 'Send my ranking'),
  );
}

/** dots: place dots on questions within a budget and a per-question cap. */
function dots(container, round, ctx) {
  const { budget, cap } = round.config;
  const key = `dots-${round.id}`;
  const mine = ctx.draftRanking(key) ?? Object.fromEntries(Object.entries(round.my_votes || {}).map(([s, v]) => [s, Number(v)]));
  const used = Object.values(mine).reduce((a, b) => a + b, 0);
  const change = (subject, step) => {
    const next = { ...mine, [subject]: Math.max(0, Math.min(cap, (mine[subject] || 0) + step)) };
    if (Object.values(next).reduce((a, b) => a + b, 0) <= budget) ctx.setDraftRanking(key, next);
    dots(container, round, ctx);
  };
  container.dataset.round = String(round.id);
  const open = round.status === 'open';
  container.replaceChildren(
    h('p', { class: 'progress', 'aria-live': 'polite' }, `${used} of ${budget} dots placed (at most ${cap} on one question).`),
    h('ul', { class: 'dotlist' }, round.subjects.map((subject) => {
      const text = subjectText(ctx.state, subject);
      return h('li', { class: 'card' }, h('p', {}, text),
        h('div', { class: 'row' },
          h('button', { type: 'button', disabled: !open || !mine[subject], 'aria-label': `One dot fewer on: ${text}`, onclick: () => change(subject, -1) }, '\u2212'),
          h('strong', {}, `${mine[subject] || 0} dots`),
          h('button', { type: 'button', disabled: !open || used >= budget || (mine[subject] || 0) >= cap, 'aria-label': `One more dot on: ${text}`, onclick: () => change(subject, 1) }, '+')));
    })),
    h('button', { type: 'button', class: 'primary', disabled: !open, onclick: () => ctx.dots(round, mine) }, 'Send my dots'),
  );
  setText(container.querySelector('.progress'), `${used} of ${budget} dots placed (at most ${cap} on one question).`);
}

export const ROUND_RENDERERS = { rating, ranking, dots };
