// The player as an object: holds the state, runs every message through the reducer, hands the effects to
// the EffectRunner and saves progress (atomically) whenever it changed. The ink App subscribes to it;
// tests can drive it directly with messages or key names. Only this and effects.ts touch the outside.
import { update } from './reducer.ts';
import { EffectRunner, type PlayerEnv } from './effects.ts';
import { keyToMsg, type KeyName, type Viewport } from './keys.ts';
import { saveProgress } from './progress-file.ts';
import type { Progress } from './progress.ts';
import { initialState, type Msg, type PlayerState } from './state.ts';

export interface Player {
  readonly env: PlayerEnv;
  getState(): PlayerState;
  subscribe(listener: () => void): () => void;
  dispatch(msg: Msg): void;
  /** A key press; `view` tells how far the body scrolls. */
  key(name: KeyName, view: Viewport): void;
  dispose(): void;
}

export function createPlayer(env: PlayerEnv, progress: Progress, opts: { startLesson?: number } = {}): Player {
  let state = initialState(env.lessons, progress);
  const listeners = new Set<() => void>();
  let runner: EffectRunner;

  const dispatch = (msg: Msg): void => {
    const [next, effects] = update(env.lessons, state, msg);
    const changed = next.progress !== state.progress;
    state = next;
    if (changed) {
      try {
        saveProgress(env.progressFile, state.progress);
      } catch (e) {
        state = { ...state, notice: `could not save progress to ${env.progressFile}: ${(e as Error).message}` };
      }
    }
    for (const l of listeners) l();
    for (const e of effects) runner.perform(e);
  };
  runner = new EffectRunner(env, dispatch);

  if (opts.startLesson !== undefined) dispatch({ kind: 'open', lesson: opts.startLesson });

  return {
    env,
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch,
    key(name, view) {
      const msg = keyToMsg(env.lessons, state, name, view);
      if (msg) dispatch(msg);
    },
    dispose: () => runner.dispose(),
  };
}
