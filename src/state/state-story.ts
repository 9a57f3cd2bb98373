/**
 * What one state's explanation says, in any language; the tables are in explanations-en.ts and
 * explanations-pt.ts, and explanations.ts joins them with the transitions table.
 */
export interface StateStory {
  /** Who is in the state, what that side has sent and received, what it waits for. */
  meaning: string;
  /** How long it normally lasts, and what ends it. */
  duration: string;
  /** What it means when many sockets sit in it. */
  many: string;
}
