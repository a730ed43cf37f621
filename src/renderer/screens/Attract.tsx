// Attract screen: the invitation, language and display options, and the way into staff mode.
import { LANGUAGES, type Language } from '../../shared/ipc-contract';
import { LANGUAGE_NAMES, type Translate } from '../i18n';

interface Props {
  t: Translate;
  language: Language;
  onLanguage(language: Language): void;
  largeText: boolean;
  onLargeText(on: boolean): void;
  highContrast: boolean;
  onHighContrast(on: boolean): void;
  onStart(): void;
  onStaff(): void;
}

export function AttractScreen(props: Props) {
  const { t } = props;
  return (
    <main className="screen attract">
      <h1>{t('attractHeading')}</h1>
      <p className="lead">{t('attractBody')}</p>
      <button type="button" className="primary huge" onClick={props.onStart} autoFocus>
        {t('start')}
      </button>
      <nav className="options" aria-label={t('language')}>
        <div className="language-buttons" role="group" aria-label={t('language')}>
          {LANGUAGES.map((code) => (
            <button
              key={code}
              type="button"
              lang={code}
              className={code === props.language ? 'chip selected' : 'chip'}
              aria-pressed={code === props.language}
              onClick={() => props.onLanguage(code)}
            >
              {LANGUAGE_NAMES[code]}
            </button>
          ))}
        </div>
        <div className="toggles">
          <button type="button" className="chip" aria-pressed={props.largeText} onClick={() => props.onLargeText(!props.largeText)}>
            {t('largeText')}
          </button>
          <button type="button" className="chip" aria-pressed={props.highContrast} onClick={() => props.onHighContrast(!props.highContrast)}>
            {t('highContrast')}
          </button>
          <button type="button" className="chip subtle" onClick={props.onStaff}>
            {t('staff')}
          </button>
        </div>
      </nav>
    </main>
  );
}
