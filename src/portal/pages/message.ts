import type { Step, UpstreamError } from '../errors.js';
import { html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';

export interface Message {
  status: number;
  title: string;
  text: string;
  /** The protocol error code, shown as a reference for support. */
  code?: string;
  kind?: 'error' | 'info';
}

/** A page that explains what happened in plain words and always offers a way back. */
export function messagePage(message: Message): SafeHtml {
  const body = html`<div class="notice ${message.kind === 'info' ? 'info' : ''}" id="message" data-testid="message" data-kind="${message.kind ?? 'error'}" role="${message.kind === 'info' ? 'status' : 'alert'}">
<h1>${message.title}</h1>
<p>${message.text}</p>
${message.code ? html`<p>Reference: <code id="error-code" data-testid="error-code">${message.code}</code></p>` : ''}
</div>
<p class="actions"><a class="button secondary" id="back-home" data-testid="back-home" href="/">Back to the credentials</a></p>`;
  return layout({ title: message.title, body });
}

const STEPS: Record<Step, { status: number; title: string; text: string }> = {
  issuer_metadata: {
    status: 503,
    title: 'The credential issuer is not available',
    text: 'We could not reach the credential issuer just now. Please try again in a few minutes.',
  },
  authorization_server: {
    status: 503,
    title: 'The sign-in service is not available',
    text: 'We could not reach the sign-in service just now. Please try again in a few minutes.',
  },
  authorization: {
    status: 502,
    title: 'Sign-in did not complete',
    text: 'The sign-in service reported a problem with the request. Please start again.',
  },
  token: {
    status: 502,
    title: 'Sign-in could not be confirmed',
    text: 'The sign-in service did not confirm your sign-in. Please start again.',
  },
  nonce: {
    status: 502,
    title: 'The credential could not be requested',
    text: 'The credential issuer could not prepare the request. Please start again.',
  },
  credential: {
    status: 502,
    title: 'The credential was not issued',
    text: 'The credential issuer refused to issue the credential. Please start again.',
  },
  verification: {
    status: 502,
    title: 'The credential could not be verified',
    text: 'The credential received from the issuer did not pass our checks, so it is not shown.',
  },
};

export function upstreamErrorPage(error: UpstreamError): { status: number; page: SafeHtml } {
  const step = STEPS[error.step];
  return { status: step.status, page: messagePage({ ...step, code: error.code }) };
}

export const sessionExpiredMessage: Message = {
  status: 400,
  title: 'This sign-in has expired',
  text: 'We could not match this sign-in to a request from this browser: it may have expired, been used already or started in another browser. Please start again.',
};

export const cancelledMessage: Message = {
  status: 200,
  kind: 'info',
  title: 'Sign-in cancelled',
  text: 'You cancelled the sign-in, so no credential was issued. You can start again at any time.',
};

export const notFoundMessage: Message = {
  status: 404,
  title: 'Not found',
  text: 'There is nothing here, or it is no longer available. Credentials are kept only for a short time and only for the browser that obtained them.',
};

export const badRequestMessage: Message = {
  status: 400,
  title: 'Request not understood',
  text: 'The address you followed is not valid.',
};

export const internalErrorMessage: Message = {
  status: 500,
  title: 'Something went wrong',
  text: 'An unexpected error occurred on our side. Please try again.',
};
