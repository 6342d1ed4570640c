/** Templates live in src/messages/templates; re-exported for activity code that renders messages. */
export { renderMessage, type TemplateVars } from '../src/messages/templates';
