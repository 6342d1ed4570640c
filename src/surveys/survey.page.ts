import { escapeHtml, templateLocaleChain } from '../messages/templates';

interface PageText {
  title: string;
  question: string;
  comment: string;
  submit: string;
  thanks: string;
  already: string;
  invalid: string;
  ratingRequired: string;
}

const TEXTS: Record<string, PageText> = {
  en: {
    title: 'How did we do?',
    question:
      'How satisfied are you with how we handled your lost parcel? (1 = not at all, 5 = very)',
    comment: 'Anything you would like to tell us? (optional)',
    submit: 'Send',
    thanks: 'Thank you for your answer!',
    already: 'You have already answered this survey. Thank you!',
    invalid: 'This survey link is not valid or has expired.',
    ratingRequired: 'Please choose a rating from 1 to 5.',
  },
  'zh-CN': {
    title: '您对我们的服务满意吗？',
    question: '您对我们处理丢失包裹的方式满意吗？（1 = 非常不满意，5 = 非常满意）',
    comment: '还有什么想告诉我们的吗？（可选）',
    submit: '提交',
    thanks: '感谢您的反馈！',
    already: '您已经回答过此问卷，谢谢！',
    invalid: '此问卷链接无效或已过期。',
    ratingRequired: '请选择 1 到 5 的评分。',
  },
  es: {
    title: '¿Qué tal lo hicimos?',
    question:
      '¿Qué tan satisfecho estás con cómo gestionamos tu paquete perdido? (1 = nada, 5 = mucho)',
    comment: '¿Quieres contarnos algo más? (opcional)',
    submit: 'Enviar',
    thanks: '¡Gracias por tu respuesta!',
    already: 'Ya has respondido a esta encuesta. ¡Gracias!',
    invalid: 'Este enlace de encuesta no es válido o ha caducado.',
    ratingRequired: 'Elige una valoración del 1 al 5.',
  },
  de: {
    title: 'Wie zufrieden waren Sie?',
    question:
      'Wie zufrieden sind Sie damit, wie wir Ihr verlorenes Paket behandelt haben? (1 = gar nicht, 5 = sehr)',
    comment: 'Möchten Sie uns noch etwas sagen? (optional)',
    submit: 'Senden',
    thanks: 'Vielen Dank für Ihre Antwort!',
    already: 'Sie haben diese Umfrage bereits beantwortet. Vielen Dank!',
    invalid: 'Dieser Umfragelink ist ungültig oder abgelaufen.',
    ratingRequired: 'Bitte wählen Sie eine Bewertung von 1 bis 5.',
  },
  fr: {
    title: 'Êtes-vous satisfait ?',
    question:
      'Êtes-vous satisfait de la façon dont nous avons traité votre colis perdu ? (1 = pas du tout, 5 = très)',
    comment: 'Souhaitez-vous ajouter quelque chose ? (facultatif)',
    submit: 'Envoyer',
    thanks: 'Merci pour votre réponse !',
    already: 'Vous avez déjà répondu à ce questionnaire. Merci !',
    invalid: 'Ce lien de questionnaire n’est pas valide ou a expiré.',
    ratingRequired: 'Veuillez choisir une note de 1 à 5.',
  },
  ja: {
    title: '対応はいかがでしたか？',
    question: '紛失したお荷物への対応にどの程度満足されましたか？（1 = 不満、5 = 大変満足）',
    comment: 'ご意見があればお聞かせください（任意）',
    submit: '送信',
    thanks: 'ご回答ありがとうございました。',
    already: 'このアンケートには既にご回答いただいています。ありがとうございました。',
    invalid: 'このアンケートのリンクは無効か、有効期限が切れています。',
    ratingRequired: '1 から 5 の評価を選んでください。',
  },
  'pt-BR': {
    title: 'Como foi o nosso atendimento?',
    question:
      'Quão satisfeito você está com a forma como tratamos o seu pacote perdido? (1 = nada, 5 = muito)',
    comment: 'Quer nos contar mais alguma coisa? (opcional)',
    submit: 'Enviar',
    thanks: 'Obrigado pela sua resposta!',
    already: 'Você já respondeu a esta pesquisa. Obrigado!',
    invalid: 'Este link de pesquisa não é válido ou expirou.',
    ratingRequired: 'Escolha uma nota de 1 a 5.',
  },
};

export function pageText(locale: string | undefined): { lang: string; t: PageText } {
  for (const l of templateLocaleChain(locale)) {
    const t = TEXTS[l];
    if (t) return { lang: l, t };
  }
  return { lang: 'en', t: TEXTS.en! };
}

/** Served with a CSP that forbids scripts and remote loads: the page needs neither. */
export const SURVEY_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function layout(lang: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 16px system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; }
  fieldset { border: 0; padding: 0; display: flex; gap: .75rem; }
  label.r { display: flex; flex-direction: column; align-items: center; }
  textarea { width: 100%; min-height: 6rem; }
  button { margin-top: 1rem; padding: .5rem 1.5rem; }
  .error { color: #a00; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function surveyFormPage(locale: string, error?: string): string {
  const { lang, t } = pageText(locale);
  const options = [1, 2, 3, 4, 5]
    .map(
      (n) =>
        `<label class="r"><input type="radio" name="rating" value="${n}" required>${n}</label>`,
    )
    .join('\n    ');
  return layout(
    lang,
    t.title,
    `<h1>${escapeHtml(t.title)}</h1>
${error ? `<p class="error">${escapeHtml(error)}</p>\n` : ''}<form method="post">
  <p>${escapeHtml(t.question)}</p>
  <fieldset>
    ${options}
  </fieldset>
  <p><label>${escapeHtml(t.comment)}<br><textarea name="comment" maxlength="2000"></textarea></label></p>
  <button type="submit">${escapeHtml(t.submit)}</button>
</form>`,
  );
}

export function surveyMessagePage(
  locale: string | undefined,
  which: 'thanks' | 'already' | 'invalid',
): string {
  const { lang, t } = pageText(locale);
  return layout(lang, t.title, `<h1>${escapeHtml(t.title)}</h1>\n<p>${escapeHtml(t[which])}</p>`);
}

export function ratingRequiredText(locale: string): string {
  return pageText(locale).t.ratingRequired;
}
