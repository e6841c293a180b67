/** How many credentials are active against the most allowed (two, so keys rotate without downtime). */
export type ActiveLimit = { active: number; maxActive: number; atLimit: boolean; reason: string };

export function activeLimit(items: readonly { status: string }[], maxActive: number, noun: string): ActiveLimit {
  const active = items.filter((item) => item.status === 'active').length;
  return {
    active,
    maxActive,
    atLimit: active >= maxActive,
    reason: `You have ${active} active ${noun}, the most allowed. Deactivate one to generate another.`,
  };
}
