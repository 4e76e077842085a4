export { CompiledTemplate, type RenderContext, templateOf, valueAt } from './compile.js';
export { toDocument } from './document.js';
export { TemplateError } from './errors.js';
export { templateHelpers } from './helpers.js';
