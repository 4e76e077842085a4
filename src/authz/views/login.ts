import { escapeHtml, page } from './html.js';

export interface LoginView {
  uid: string;
  clientName: string;
  /** Re-filled after a failed attempt; the name and date are never echoed. */
  individualId?: string;
  error?: string;
}

export const MISMATCH_MESSAGE =
  'The details you entered do not match our records. Check your individual ID, full name and date of birth, and try again.';

/** The knowledge-based identification form (server-rendered, a plain POST form, no script). */
export function loginPage(view: LoginView): string {
  const uid = encodeURIComponent(view.uid);
  const error = view.error
    ? `<p class="error" role="alert" id="form-error">${escapeHtml(view.error)}</p>\n`
    : '';
  const described = view.error ? ' aria-describedby="form-error"' : '';
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p><strong>${escapeHtml(view.clientName)}</strong> asks to confirm who you are. Enter your details exactly as they appear in the national registry.</p>
${error}<form method="post" action="/interaction/${uid}/login" class="form"${described}>
<label for="individual_id">Individual ID</label>
<input id="individual_id" name="individual_id" type="text" inputmode="numeric" autocomplete="off" required maxlength="64" value="${escapeHtml(view.individualId ?? '')}">
<label for="full_name">Full name</label>
<input id="full_name" name="full_name" type="text" autocomplete="name" required maxlength="200">
<label for="date_of_birth">Date of birth</label>
<input id="date_of_birth" name="date_of_birth" type="date" autocomplete="bday" required>
<button type="submit">Continue</button>
</form>
<form method="post" action="/interaction/${uid}/abort" class="secondary">
<button type="submit" class="link">Cancel and return</button>
</form>`,
  );
}
