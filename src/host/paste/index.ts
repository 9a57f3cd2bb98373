/**
 * Pasted `netstat`/`ss` output from Linux, macOS or Windows (any display language), read and
 * explained. Used by `tcpstate explain -`:
 *
 *   const parse = parsePasted(text);          // never throws
 *   process.stdout.write(renderPasted(parse, { lang: 'en', color: true }));
 *
 * Part of host's pure analysis (see host/index.ts): may import host/*.ts (not host/kernel/),
 * state/, util/, wire/.
 */
export { parsePasted } from './parse.js';
export { countByState, pastedJson, type RenderPastedOptions, renderPasted } from './render.js';
export type {
  PastedLine,
  PastedOtherLine,
  PastedParse,
  PastedSocketLine,
  PasteFormat,
  PasteNote,
} from './types.js';
