import i18next, { type TFunction } from 'i18next';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/**
 * The console's languages. Strings live per namespace in ./strings/<namespace>.ts, one object per
 * language with the same keys (test/unit/console-i18n.test.ts checks they match); every file there
 * is picked up on its own, so a new page adds its file and nothing else.
 */
export const LANGUAGES = [
  { code: 'en', label: 'English', locale: 'en-GB' },
  { code: 'zh', label: '中文', locale: 'zh-CN' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

import type { Strings } from './types';

export type { Strings };

const STORAGE = 'parcelwarden.console.language';
const files = import.meta.glob<{ default: Strings }>('./strings/*.ts', { eager: true });

const resources: Record<Language, Record<string, Record<string, unknown>>> = { en: {}, zh: {} };
for (const [file, mod] of Object.entries(files)) {
  const ns = /\/([\w-]+)\.ts$/.exec(file)![1]!;
  resources.en[ns] = mod.default.en;
  resources.zh[ns] = mod.default.zh;
}

/** The remembered choice, else the browser's first language we have, else English. */
export function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE);
  if (stored === 'en' || stored === 'zh') return stored;
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function rememberLanguage(lang: Language): void {
  localStorage.setItem(STORAGE, lang);
  document.documentElement.lang = localeOf(lang);
}

export const localeOf = (lang: Language) => LANGUAGES.find((l) => l.code === lang)!.locale;

await i18next.init({
  resources,
  lng: initialLanguage(),
  fallbackLng: 'en',
  defaultNS: 'common',
  // Preact renders text as text nodes: escaping here would show entities literally.
  interpolation: { escapeValue: false },
  initAsync: false,
});

export const LanguageContext = createContext<Language>('en');

/** The strings of a namespace in the current language, and the Intl locale to format with. */
export function useT(ns: string): { t: TFunction; lang: Language; locale: string } {
  const lang = useContext(LanguageContext);
  return { t: i18next.getFixedT(lang, ns), lang, locale: localeOf(lang) };
}
