// The ideas panel beside the mission form: a parent picks a tag (or types one) and the
// child's age, sees five ideas, asks for others or for freshly written ones (the model's
// text shows as it writes), and gives one to the child in one tap.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { uuid } from '../lib/format.js';
import { actionButton, field, onSubmit, statusRegion } from '../lib/ui.js';

/**
 * @typedef {{ id: string, tag: string, title: string, description: string, reward: number }} Idea
 * @typedef {{ tag: { key: string, label: string, known: boolean }, age_band: string,
 *   source: string, items: Idea[] }} IdeaAnswer
 */

// Shortcuts only: the server's catalog decides what a tag is, in any spelling.
const suggested = ['독서', '정리정돈', '운동', '집안일', '공부', '배려'];

/**
 * @param {import('../app.js').Context} ctx
 * @param {Map<number, string>} names child id → name
 * @param {() => void} given called after an idea became a mission
 */
export function ideasPanel(ctx, names, given) {
  const status = statusRegion();
  const list = h('ul', { class: 'ideas', 'aria-live': 'polite' });
  const child = /** @type {HTMLSelectElement} */ (h('select', { name: 'child_id', required: true },
    [...names].map(([id, name]) => h('option', { value: id }, name))));
  const tag = /** @type {HTMLInputElement} */ (h('input', { name: 'tag', required: true, maxlength: 20 }));
  const age = /** @type {HTMLInputElement} */ (h('input', { name: 'age', type: 'number', min: 3, max: 13, required: true, value: '8' }));
  const more = h('div', { class: 'row' });
  const draft = h('pre', { class: 'idea-draft', hidden: true });

  /** @param {Idea} idea */
  const ideaItem = (idea) => {
    const own = statusRegion();
    return h('li', { class: 'idea', 'data-idea': idea.id },
      h('div', { class: 'mission-head' },
        h('strong', { class: 'title' }, idea.title),
        h('span', { class: 'reward' }, t('mission.reward_n', { n: idea.reward }))),
      h('p', {}, idea.description),
      actionButton(t('ideas.give'), async () => {
        await ctx.api.post('/mission-ideas/assign', { idea_id: idea.id, child_id: Number(child.value) },
          { 'Idempotency-Key': uuid() });
        own.textContent = t('ideas.given', { title: idea.title });
        given();
      }, { status: own, kind: 'primary', label: t('ideas.give_named', { title: idea.title }) }),
      own);
  };

  const question = () => new URLSearchParams({ tag: tag.value.trim(), age: age.value });

  /** @param {IdeaAnswer} answer */
  function showAnswer(answer) {
    status.textContent = answer.source === 'library' && !answer.tag.known
      ? t('ideas.free_tag', { tag: answer.tag.label }) : '';
    replace(list, answer.items.length ? answer.items.map(ideaItem) : h('li', { class: 'empty' }, t('ideas.none')));
    replace(more, answer.items.length
      ? [actionButton(t('ideas.more'), show, { status }), actionButton(t('ideas.fresh'), fresh, { status })]
      : null);
  }

  async function show() {
    showAnswer(await ctx.api.get(`/mission-ideas?${question()}`));
  }

  // New ideas written now: the text appears as the model writes it, then the ideas.
  async function fresh() {
    draft.hidden = false;
    draft.textContent = '';
    status.textContent = t('ideas.writing');
    /** @type {IdeaAnswer | null} */
    let answer = null;
    try {
      await ctx.api.stream(`/mission-ideas/stream?${question()}`, (event, data) => {
        if (event === 'piece') draft.textContent += JSON.parse(data).text;
        else if (event === 'ideas') answer = JSON.parse(data);
      });
    } finally {
      draft.hidden = true;
    }
    if (!answer) throw new Error('the stream ended without ideas');
    showAnswer(answer);
    if (/** @type {IdeaAnswer} */ (answer).source === 'library') status.textContent = t('ideas.fresh_unavailable');
  }

  const chips = h('div', { class: 'row', role: 'group', 'aria-label': t('ideas.suggested') },
    suggested.map((label) => {
      const b = h('button', { type: 'button', class: 'tab' }, label);
      b.addEventListener('click', () => {
        tag.value = label;
        form.requestSubmit();
      });
      return b;
    }));
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', 'aria-label': t('ideas.title') },
    h('h2', {}, t('ideas.title')),
    field('field.child_id', child), field('field.age', age), chips,
    field('field.tag', tag, 'ideas.tag_hint'),
    h('button', { type: 'submit', class: 'primary' }, t('ideas.show')), status, draft, list, more));
  onSubmit(form, status, show);
  return form;
}
