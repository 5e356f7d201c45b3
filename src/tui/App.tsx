// The ink view of the lesson player: a thin shell over render/screen.ts. It tracks the terminal size
// (resizes re-render), turns key presses into key names for the player, shows the header, the part of
// the body that fits (scrolled) and the footer with the notice and key help, and exits when the player
// quits. Width and height can be fixed (tests); an unknown height shows the whole body.
import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { KeyName, Viewport } from './keys.ts';
import type { Player } from './player.ts';
import { screen } from './render/screen.ts';
import type { Styler } from './style.ts';

export interface AppProps {
  player: Player;
  style: Styler;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  width?: number;
  height?: number;
  /** Called when the learner presses Ctrl-C (the app then exits, as it does on q). */
  onInterrupt?: () => void;
}

export function keyName(input: string, key: Key): KeyName | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return 'tab';
  if (key.ctrl || key.meta) return undefined;
  if (input === ' ') return 'space';
  return input.length === 1 ? input : undefined;
}

function useTerminalSize(fixedWidth?: number, fixedHeight?: number): { width: number; height: number | undefined } {
  const { stdout } = useStdout();
  const read = () => ({
    width: fixedWidth ?? (stdout.columns || 80),
    height: fixedHeight ?? (stdout.rows || undefined),
  });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixedWidth !== undefined && fixedHeight !== undefined) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout, fixedWidth, fixedHeight]);
  return size;
}

export function App({ player, style, width: fixedWidth, height: fixedHeight, onInterrupt }: AppProps) {
  const { exit } = useApp();
  const state = useSyncExternalStore(player.subscribe, player.getState);
  const { width: columns, height } = useTerminalSize(fixedWidth, fixedHeight);
  // One column spare: some terminals wrap a line that fills the last column.
  const width = Math.max(20, columns - 1);
  const { header, body, footer } = screen(player.env.lessons, player.env.hidden, state, width, style);

  // The body gets what header and footer leave (footer height depends on the help, which depends on
  // whether the body scrolls: measure with a guess, then settle).
  const footerGuess = footer({ page: 1, maxScroll: 1 });
  const page = height === undefined ? body.length : Math.max(3, height - header.length - footerGuess.length);
  const view: Viewport = { page, maxScroll: Math.max(0, body.length - page) };
  // The menu follows its cursor (its row is the cursor + 2); a step scrolls where the learner put it.
  const wanted = state.screen === 'menu' ? state.menuCursor + 3 - page : (state.session?.scroll ?? 0);
  const scroll = Math.min(Math.max(0, wanted), view.maxScroll);
  const visible = body.slice(scroll, scroll + page);
  const more =
    view.maxScroll > 0
      ? `${scroll > 0 ? '↑' : ' '}${scroll < view.maxScroll ? '↓' : ' '} ${scroll + 1}-${scroll + visible.length}/${body.length}`
      : '';

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      onInterrupt?.();
      exit();
      return;
    }
    const name = keyName(input, key);
    if (name) player.key(name, view);
  });
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);
  useEffect(() => () => player.dispose(), [player]);

  const lines = [...header, ...visible];
  if (height !== undefined) while (lines.length < header.length + page) lines.push('');
  const foot = footer(view);
  if (more) foot[0] = style.dim('─'.repeat(Math.max(0, width - [...more].length - 1)) + ' ' + more);
  return (
    <Box flexDirection="column" width={width}>
      {[...lines, ...foot].map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l === '' ? ' ' : l}
        </Text>
      ))}
    </Box>
  );
}
