/**
 * The sign-in clock (epoch milliseconds) for OTP expiry, resend cooldowns and lockouts. Tests replace
 * `now` to move time forward instead of sleeping; nothing else should write it.
 */
export const clock = { now: (): number => Date.now() };
