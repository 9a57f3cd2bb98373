/**
 * The simulator's scenario editor: a built-in scenario picker and its text in the format of
 * `tcpstate sim FILE`, with line numbers and the first mistake shown at its line (the number
 * marked, the line highlighted, the message beside the editor). A plain textarea: the files
 * are a few dozen lines, and an editor library would weigh more than the rest of the page.
 */
import { BUILTIN_SCRIPTS, findBuiltin } from '../scenario/builtin.js';
import { field, h } from './dom.js';
import type { TextResult } from './model/scenario-text.js';

type ScenarioText = typeof import('./model/scenario-text.js');

export interface ScenarioEditor {
  /** The picker, the editor and its messages. */
  element: HTMLElement;
  picker: HTMLSelectElement;
  textarea: HTMLTextAreaElement;
  /** The built-in scenario's own text, for the picked one. */
  builtinText(): string;
  /** True when the text is the picked built-in's, unchanged. */
  pristine(): boolean;
  /**
   * The script to run: the picked built-in itself while the text is its own, else the text
   * read (the YAML reader is its own chunk, loaded after the first render: a promise until then).
   */
  read(): TextResult | Promise<TextResult>;
  /** Marks the mistake of a failed parse, or clears the mark. */
  showResult(r: TextResult): void;
}

export function scenarioEditor(
  initial: { scenario: string; yaml?: string },
  on: { run(): void; pick(): void },
): ScenarioEditor {
  const picker = h(
    'select',
    { name: 'scenario' },
    ...BUILTIN_SCRIPTS.map((s) => h('option', { value: s.name, title: s.description }, s.name)),
  );
  picker.value = findBuiltin(initial.scenario) ? initial.scenario : 'normal-close';
  // The YAML library weighs as much as the simulator: the first run of a built-in scenario does
  // not wait for it, and the editor's text is written when it has come.
  let text: ScenarioText | undefined;
  const reader = import('./model/scenario-text.js').then((m) => {
    text = m;
    if (textarea.value === '') {
      textarea.value = builtinText();
      paintGutter();
    }
    return m;
  });
  const builtinText = () => {
    const s = findBuiltin(picker.value);
    return s === undefined || text === undefined ? '' : text.scriptToYaml(s);
  };
  const pristine = () =>
    text === undefined ? textarea.value === '' : textarea.value === builtinText();
  const textarea = h('textarea', {
    name: 'yaml',
    rows: '16',
    spellcheck: 'false',
    autocapitalize: 'off',
    wrap: 'off',
    'aria-label': 'scenario (YAML, the format of tcpstate sim FILE)',
    'aria-describedby': 'sim-editor-help',
  });
  textarea.value = initial.yaml ?? builtinText();
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' });
  const mark = h('div', { class: 'line-mark', hidden: '' });
  const message = h('p', { class: 'editor-error', id: 'sim-editor-error', role: 'alert' });
  message.hidden = true;
  const help = h(
    'p',
    { class: 'hint', id: 'sim-editor-help' },
    'The format of tcpstate sim FILE. Ctrl+Enter runs it.',
  );
  const details = h(
    'details',
    { class: 'editor' },
    h('summary', {}, 'Edit the scenario (YAML)'),
    h('div', { class: 'code' }, gutter, mark, textarea),
    message,
    help,
    h('button', { type: 'submit' }, 'Run this scenario'),
  );
  if (initial.yaml !== undefined) details.open = true;
  const form = h(
    'form',
    { class: 'scenario', 'aria-label': 'scenario' },
    h('div', { class: 'controls' }, field('Scenario', picker)),
    details,
  );

  let badLine: number | undefined;
  const paintGutter = () => {
    const count = textarea.value.split('\n').length;
    const rows: string[] = [];
    for (let i = 1; i <= count; i++) rows.push(String(i));
    gutter.replaceChildren(
      ...rows.map((r, i) => (i + 1 === badLine ? h('span', { class: 'bad' }, `${r}\n`) : `${r}\n`)),
    );
    gutter.scrollTop = textarea.scrollTop;
    if (badLine === undefined) {
      mark.hidden = true;
      return;
    }
    const lineHeight = Number.parseFloat(getComputedStyle(textarea).lineHeight) || 18;
    const padTop = Number.parseFloat(getComputedStyle(textarea).paddingTop) || 0;
    mark.hidden = false;
    mark.style.height = `${lineHeight}px`;
    mark.style.top = `${textarea.offsetTop + textarea.clientTop + padTop + (badLine - 1) * lineHeight - textarea.scrollTop}px`;
  };
  textarea.addEventListener('input', () => {
    paintGutter();
  });
  textarea.addEventListener('scroll', paintGutter);
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      on.run();
    }
  });
  picker.addEventListener('change', () => {
    textarea.value = builtinText();
    on.pick();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    on.run();
  });

  const goTo = (line: number, column: number) => {
    const lines = textarea.value.split('\n');
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1;
    textarea.focus();
    textarea.setSelectionRange(offset + column - 1, offset + (lines[line - 1]?.length ?? 0));
  };

  paintGutter();
  return {
    element: form,
    picker,
    textarea,
    builtinText,
    pristine,
    read() {
      const builtin = findBuiltin(picker.value);
      if (pristine() && builtin !== undefined) return { ok: true, script: builtin };
      if (text !== undefined) return text.parseScenarioText(textarea.value);
      return reader.then((m) => m.parseScenarioText(textarea.value));
    },
    showResult(r) {
      if (r.ok) {
        badLine = undefined;
        message.hidden = true;
        textarea.removeAttribute('aria-invalid');
        textarea.setAttribute('aria-describedby', 'sim-editor-help');
      } else {
        badLine = r.line;
        details.open = true;
        const go = h('button', { type: 'button', class: 'link' }, 'go to the line');
        go.addEventListener('click', () => goTo(r.line, r.column));
        message.replaceChildren(
          h('span', { class: 'where' }, `Line ${r.line}:`),
          ` ${r.message} `,
          go,
        );
        message.dataset.line = String(r.line);
        message.hidden = false;
        textarea.setAttribute('aria-invalid', 'true');
        textarea.setAttribute('aria-describedby', 'sim-editor-error sim-editor-help');
      }
      paintGutter();
    },
  };
}
