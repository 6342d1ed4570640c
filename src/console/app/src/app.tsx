import { useEffect, useState } from 'preact/hooks';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter-preact';
import { useHashLocation } from 'wouter-preact/use-hash-location';
import { api, ApiError, must, setApiKey } from './api/client';
import {
  initialLanguage,
  LANGUAGES,
  LanguageContext,
  rememberLanguage,
  useT,
  type Language,
} from './i18n';
import { ROUTES } from './routes';
import { may, SessionContext, storedSession, storeSession, type Session } from './session';

export function App() {
  const [lang, setLang] = useState<Language>(initialLanguage);
  const [session, setSession] = useState<Session | undefined>(() => {
    const s = storedSession();
    setApiKey(s?.key);
    return s;
  });
  useEffect(() => rememberLanguage(lang), [lang]);

  const logOut = () => {
    setApiKey(undefined);
    storeSession(undefined);
    setSession(undefined);
  };
  const logIn = (s: Session) => {
    storeSession(s);
    setSession(s);
  };

  return (
    <LanguageContext.Provider value={lang}>
      <Router hook={useHashLocation}>
        <Shell session={session} lang={lang} setLang={setLang} onLogout={logOut}>
          {session ? (
            <SessionContext.Provider value={session}>
              <Pages session={session} />
            </SessionContext.Provider>
          ) : (
            <Login onLogin={logIn} />
          )}
        </Shell>
      </Router>
    </LanguageContext.Provider>
  );
}

function Shell(props: {
  session: Session | undefined;
  lang: Language;
  setLang: (l: Language) => void;
  onLogout: () => void;
  children: preact.ComponentChildren;
}) {
  const { t } = useT('common');
  const { session } = props;
  const [location] = useLocation();
  return (
    <>
      <a class="skip" href="#main" onClick={skipToMain}>
        {t('skip')}
      </a>
      <header class="top">
        <span class="brand">{t('brand')}</span>
        {session && (
          <nav aria-label={t('nav.label')}>
            {ROUTES.filter((r) => r.nav && (!r.needs || may(session, r.needs))).map((r) => (
              <Link
                key={r.path}
                href={r.path}
                aria-current={location.startsWith(r.path) ? 'page' : undefined}
              >
                {t(`nav.${r.nav}`)}
              </Link>
            ))}
          </nav>
        )}
        {session && <SearchBox />}
        <span class="spacer" />
        <label class="lang">
          <span>{t('language')}</span>
          <select
            value={props.lang}
            onChange={(e) => props.setLang(e.currentTarget.value as Language)}
          >
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code} lang={l.locale}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        {session && (
          <>
            <span id="who" class="who">
              {may(session, 'decide')
                ? t('who', { name: session.reviewer })
                : t('whoReadOnly', { name: session.reviewer, role: session.me.role })}
            </span>
            <button type="button" onClick={props.onLogout}>
              {t('logout')}
            </button>
          </>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}

/** The skip link moves focus itself: a hash link would be taken as a route. */
function skipToMain(e: Event) {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

function SearchBox() {
  const { t } = useT('common');
  const [, navigate] = useLocation();
  const [q, setQ] = useState('');
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim()) navigate(`/search/${encodeURIComponent(q.trim())}`);
      }}
    >
      <input
        id="search-box"
        type="search"
        aria-label={t('search.label')}
        placeholder={t('search.placeholder')}
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
      />
      <button type="submit">{t('search.submit')}</button>
    </form>
  );
}

function Pages({ session }: { session: Session }) {
  const { t } = useT('common');
  return (
    <Switch>
      {ROUTES.map((r) => (
        <Route key={r.path} path={r.path}>
          {(params) =>
            r.needs && !may(session, r.needs) ? (
              <p class="notice">{t('noAccess', { roles: r.needs })}</p>
            ) : (
              <r.page params={params} />
            )
          }
        </Route>
      ))}
      <Route path="/">
        <Redirect to={ROUTES[0]!.path} replace />
      </Route>
      <Route>
        <p class="notice">{t('notFound')}</p>
      </Route>
    </Switch>
  );
}

function Login({ onLogin }: { onLogin: (s: Session) => void }) {
  const { t } = useT('common');
  const [key, setKey] = useState('');
  const [reviewer, setReviewer] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!key.trim() || !reviewer.trim()) {
      setError(t('login.required'));
      return;
    }
    setBusy(true);
    setError('');
    setApiKey(key.trim());
    try {
      const me = await must(api.GET('/v1/me'));
      if (!me.permissions.includes('read')) {
        setApiKey(undefined);
        setError(t('login.cannotRead', { role: me.role }));
        return;
      }
      onLogin({ key: key.trim(), reviewer: reviewer.trim(), me });
    } catch (err) {
      setApiKey(undefined);
      setError(
        err instanceof ApiError && err.status === 401
          ? t('login.invalid')
          : t('error', { message: err instanceof Error ? err.message : String(err) }),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="login" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>
          <label for="api-key">{t('login.key')}</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            required
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
          />
        </p>
        <p>
          <label for="reviewer">{t('login.reviewer')}</label>
          <input
            id="reviewer"
            type="text"
            autoComplete="name"
            required
            value={reviewer}
            onInput={(e) => setReviewer(e.currentTarget.value)}
          />
        </p>
        <p>
          <button type="submit" disabled={busy}>
            {t('login.submit')}
          </button>
        </p>
        <p id="login-error" class="error" role="alert">
          {error}
        </p>
      </form>
      <p class="hint">{t('login.hint')}</p>
    </section>
  );
}
