// The draft by domain and topic, as collapsible sections; open sections stay open across updates.

import { h } from './dom.js';

/**
 * Render the draft into container. actions(item) returns buttons to show under an item (or []);
 * highlight is an item id to mark as just changed.
 */
export function renderDraft(container, draft, actions = () => [], highlight = null) {
  const open = new Set([...container.querySelectorAll('details[open]')].map((d) => d.dataset.id));
  const first = !container.dataset.rendered;
  container.dataset.rendered = '1';
  container.classList.add('draft');
  if (!draft) {
    container.replaceChildren(h('p', { class: 'muted' }, 'Loading the draft…'));
    return;
  }
  let number = 0;
  const domains = draft.domains.map((domain) =>
    h('details', { 'data-id': domain.id, open: first || open.has(domain.id) },
      h('summary', {}, domain.title),
      domain.topics.map((topic) =>
        h('details', { class: 'topic', 'data-id': topic.id, open: open.has(topic.id) },
          h('summary', {}, `${topic.title} (${topic.items.length})`),
          h('ol', {}, topic.items.map((item) => {
            number += 1;
            return h('li', { value: number, 'data-item': item.id, class: item.id === highlight ? 'changed' : null },
              h('span', { class: 'stem' }, item.stem),
              item.help ? h('div', { class: 'help' }, item.help) : null,
              h('div', {}, actions(item)));
          }))))));
  container.replaceChildren(...domains);
}

/** Return <option>s for every topic of the draft, grouped by domain. */
export function topicOptions(draft) {
  return (draft?.domains || []).map((d) =>
    h('optgroup', { label: d.title }, d.topics.map((t) => h('option', { value: t.id }, t.title))));
}

/** Return <option>s for every item of the draft, grouped by topic. */
export function itemOptions(draft, blank = null) {
  const groups = (draft?.domains || []).flatMap((d) => d.topics).map((t) =>
    h('optgroup', { label: t.title }, t.items.map((i) => h('option', { value: i.id }, i.stem.slice(0, 90)))));
  return blank ? [h('option', { value: '' }, blank), ...groups] : groups;
}

/** Replace a select's options, keeping the chosen value when it still exists. */
export function refillSelect(select, options) {
  const chosen = select.value;
  select.replaceChildren(...options);
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}
