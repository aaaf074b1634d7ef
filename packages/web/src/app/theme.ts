import { useEffect, useState } from 'react';

/** The user's choice: follow the system (prefers-color-scheme), or force light or dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const KEY = 'gg-theme';
const dark = window.matchMedia('(prefers-color-scheme: dark)');

function readChoice(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

/** The choice, the theme it resolves to (charts need concrete colours), and a setter that persists. */
export function useTheme(): { choice: ThemeChoice; theme: Theme; setChoice(c: ThemeChoice): void } {
  const [choice, setChoiceState] = useState<ThemeChoice>(readChoice);
  const [systemDark, setSystemDark] = useState(dark.matches);
  useEffect(() => {
    const onChange = () => setSystemDark(dark.matches);
    dark.addEventListener('change', onChange);
    return () => dark.removeEventListener('change', onChange);
  }, []);
  const theme: Theme = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const setChoice = (c: ThemeChoice) => {
    if (c === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, c);
    setChoiceState(c);
  };
  return { choice, theme, setChoice };
}
