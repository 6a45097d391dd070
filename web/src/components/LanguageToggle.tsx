import { useTranslation } from 'react-i18next';
import { LANGUAGES, type Language, setLanguage } from '../i18n';

const LABEL: Record<Language, string> = { ko: '한국어', en: 'English' };

/** 한국어 / English: the choice is kept in this browser. */
export function LanguageToggle() {
  const { t, i18n } = useTranslation();
  return (
    <fieldset className="flex overflow-hidden rounded border border-slate-700 text-xs" aria-label={t('app.language')}>
      {LANGUAGES.map((lang) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          data-testid={`lang-${lang}`}
          aria-pressed={i18n.language === lang}
          onClick={() => setLanguage(lang)}
          className={`px-2 py-0.5 ${i18n.language === lang ? 'bg-slate-700 text-white' : 'text-slate-400 hover:text-slate-200'}`}
        >
          {LABEL[lang]}
        </button>
      ))}
    </fieldset>
  );
}
