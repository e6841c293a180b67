/**
 * The scope every client credential holds and every /raas/v2 route requires (Tango's `raas.all`).
 * Domain knowledge shared by the token endpoint and the API guard, so it lives below both.
 */
export const DEFAULT_SCOPE = 'raas.all';
