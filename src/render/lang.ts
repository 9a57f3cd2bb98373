/**
 * Which language to print in: `--lang` when given, else the locale (LC_ALL, then LC_MESSAGES,
 * then LANG, as POSIX orders them), Portuguese for any pt locale, English otherwise.
 */
import type { Lang } from '../state/meanings.js';

export const LANGS: readonly Lang[] = ['en', 'pt'];

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

export function detectLang(env: Readonly<Record<string, string | undefined>>): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^pt([_.@-]|$)/i.test(locale) ? 'pt' : 'en';
}
