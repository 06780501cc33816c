// Messages between the simulator's parent process and its children.
import type { SimOptions } from './options.js';
import type { SimReport } from './stats.js';

export type ParentToChild =
  /** Start these players (global indices). */
  | { type: 'start'; opts: SimOptions; indices: number[]; childIndex: number }
  /** The measurement window opens now. */
  | { type: 'measure' }
  /** The window closes: stop every player, send the last report, then 'done'. */
  | { type: 'stop' };

export type ChildToParent =
  | { type: 'report'; report: SimReport }
  /** Every player of this child has tried to join. */
  | { type: 'ramped' }
  | { type: 'done'; report: SimReport };
