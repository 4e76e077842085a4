/** A template that does not compile or fails on a record: names configuration, template and path. */
export class TemplateError extends Error {
  constructor(
    readonly configurationId: string,
    readonly templateName: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`configuration ${configurationId}, template ${templateName}, path ${path || '(root)'}: ${reason}`);
    this.name = 'TemplateError';
  }
}
