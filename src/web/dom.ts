/** A small element builder, so the views read as the markup they make. */
export type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) el.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** A labelled form control: the label wraps it, so it needs no id. */
export function field(label: string, control: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

/**
 * Sets the page root's `data-status` (the test contract: `loading` until the view's code has
 * arrived, `ready` idle, `playing`, `done` after a run).
 */
export function setStatus(status: 'loading' | 'ready' | 'playing' | 'done'): void {
  document.documentElement.dataset.status = status;
}

/** The language picker (`name="lang"`): English or Portuguese, as state/ explains states. */
export function langSelect(lang: 'en' | 'pt'): HTMLSelectElement {
  const select = h(
    'select',
    { name: 'lang' },
    h('option', { value: 'en' }, 'English'),
    h('option', { value: 'pt' }, 'Português'),
  );
  select.value = lang;
  return select;
}
