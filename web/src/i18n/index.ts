// Korean and English. The dictionaries are small and both ship in the initial bundle, so switching
// language never waits for a download. The choice is kept in localStorage; the first visit follows
// the browser (Korean when it prefers Korean, English otherwise).
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { ko } from './ko';

export const LANGUAGES = ['ko', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'upbit-trader.lang';
const storage = typeof localStorage === 'undefined' ? undefined : localStorage;

/** The stored choice if there is one, else Korean when the browser lists Korean before English, else English. */
export function initialLanguage(stored: string | null | undefined, preferred: readonly string[]): Language {
  if (stored === 'ko' || stored === 'en') return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'ko') return 'ko';
    if (base === 'en') return 'en';
  }
  return 'en';
}

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}

const browserLanguages = typeof navigator === 'undefined' ? [] : navigator.languages;
i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, ko: { translation: ko } },
  lng: initialLanguage(storage?.getItem(STORAGE_KEY), browserLanguages),
  fallbackLng: 'en',
  initAsync: false,
  // React escapes what it renders.
  interpolation: { escapeValue: false },
});

function markDocument(lang: string) {
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}
markDocument(i18next.language);

export function setLanguage(lang: Language): void {
  storage?.setItem(STORAGE_KEY, lang);
  markDocument(lang);
  void i18next.changeLanguage(lang);
}

/** The BCP 47 locale numbers and dates are formatted in. */
export function currentLocale(): string {
  return i18next.language === 'ko' ? 'ko-KR' : 'en-US';
}

export { i18next };
