import type { TokenPolicy } from '../api/types';

const count = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The largest whole unit of a number of seconds: [7, 'day'], [24, 'hour'], [30, 'minute'], [90, 'second']. Days from two on: a token lives 24 hours, not 1 day. */
function wholeUnit(seconds: number): [number, string] {
  if (seconds % 86_400 === 0 && seconds >= 2 * 86_400) return [seconds / 86_400, 'day'];
  if (seconds % 3_600 === 0 && seconds > 0) return [seconds / 3_600, 'hour'];
  if (seconds % 60 === 0 && seconds > 0) return [seconds / 60, 'minute'];
  return [seconds, 'second'];
}

/** A number of seconds as people say a duration: "24 hours", "30 minutes", "90 seconds", "7 days". */
export function formatDuration(seconds: number): string {
  const [n, word] = wholeUnit(seconds);
  return count(n, word);
}

/** "every 20 hours", "every 30 minutes", "every hour". */
function every(seconds: number): string {
  const [n, word] = wholeUnit(seconds);
  return n === 1 ? `every ${word}` : `every ${count(n, word)}`;
}

/**
 * The token policy in force in a few words, for a line that names no lifetime (the Team page):
 * "one new token per client every 20 hours", "up to 100 token requests per client per second".
 * A quota interval of 0 (TESSERA_QUOTA_INTERVAL=0) turns the quota off.
 */
export function tokenPolicySummary(policy: TokenPolicy): string {
  if (policy.policy === 'rate') return `up to ${count(policy.requestsPerSecond, 'token request')} per client per second`;
  return policy.intervalSeconds === 0 ? 'a new token at any time' : `one new token per client ${every(policy.intervalSeconds)}`;
}

/**
 * The token policy in force as a sentence, with the lifetime of a token of the default audience (an
 * audience may set another one: the page lists them): "A client may request one new token every 20 hours,
 * and a token of the default audience lives 24 hours: keep it and reuse it."
 */
export function describeTokenPolicy(policy: TokenPolicy): string {
  const rule =
    policy.policy === 'rate'
      ? `A client may make up to ${count(policy.requestsPerSecond, 'token request')} per second`
      : policy.intervalSeconds === 0
        ? 'A client may request a new token at any time'
        : `A client may request one new token ${every(policy.intervalSeconds)}`;
  return `${rule}, and a token of the default audience lives ${formatDuration(policy.tokenLifetimeSeconds)}: keep it and reuse it.`;
}
