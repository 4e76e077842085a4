import type { Interaction, InteractionResult } from 'oidc-provider';

/**
 * Stores an interaction's result and returns where the browser goes next — what oidc-provider's
 * `interactionResult(req, res, result, options)` does (lib/provider.js), but on the interaction this
 * request already loaded and checked (`SignIn.load`: by its cookie, with its session's principal)
 * instead of reading both again by the cookie. A sign-in posts twice (login, consent), and each of
 * those reads was an Interaction and a Session lookup and a signed-cookie check more.
 * test/authz/interaction-result.test.ts stores one result each way and compares the rows.
 */
export async function submitResult(
  interaction: Interaction,
  result: InteractionResult,
  { mergeWithLastSubmission = true }: { mergeWithLastSubmission?: boolean } = {},
): Promise<string> {
  interaction.result =
    mergeWithLastSubmission && !('error' in result) ? { ...interaction.lastSubmission, ...result } : result;
  // The library's lifetime: what is left of the interaction's own (epoch seconds).
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  return interaction.returnTo;
}
