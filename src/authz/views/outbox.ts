import { messagesFor } from '../i18n/index.js';
import type { OutboxMessage } from '../notify/outbox.js';
import { escapeHtml, page } from './html.js';

/** The development outbox (localhost only): what would have been e-mailed or texted. */
export function outboxPage(messages: OutboxMessage[]): string {
  const m = messagesFor('en');
  const items = messages
    .map(
      (
        msg,
      ) => `<li><p><strong>${escapeHtml(msg.subject)}</strong> · ${escapeHtml(msg.channel)} · <bdi>${escapeHtml(msg.recipient)}</bdi> · <time datetime="${new Date(msg.createdAt).toISOString()}">${new Date(msg.createdAt).toISOString()}</time></p>
<pre>${escapeHtml(msg.body)}</pre></li>`,
    )
    .join('\n');
  return page(
    m.outboxTitle,
    `<h1>${escapeHtml(m.outboxTitle)}</h1>
${messages.length ? `<ol class="outbox">\n${items}\n</ol>` : `<p>${escapeHtml(m.outboxEmpty)}</p>`}`,
  );
}
