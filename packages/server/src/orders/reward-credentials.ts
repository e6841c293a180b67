import { createHash } from 'node:crypto';

/**
 * The sandbox's reward credentials: realistic in shape (a 16-digit card number, a 4-digit PIN, an Amazon-style
 * claim code, …), one per credential type the catalog item lists (ItemViewVerbose.credentialTypes), and stable
 * for an order: each is derived from the reference order id by SHA-256, so every read of the order shows the same
 * codes and none is stored. A brand without `pin` among its types gets no PIN. They redeem nothing.
 */

/** Tango's CredentialView: the label a person reads, the value, and the type of value. */
export interface RewardCredential {
  label: string;
  value: string;
  type: 'text' | 'url' | 'date';
  credentialType: string;
}

const LABELS: Record<string, { label: string; type: RewardCredential['type'] }> = {
  cardNumber: { label: 'Card Number', type: 'text' },
  pin: { label: 'PIN', type: 'text' },
  claimCode: { label: 'Claim Code', type: 'text' },
  cardCode: { label: 'Card Code', type: 'text' },
  cvc2: { label: 'CVC2', type: 'text' },
  expirationDate: { label: 'Expiration Date', type: 'date' },
  redemptionUrl: { label: 'Redemption URL', type: 'url' },
  barcodeUrl: { label: 'Barcode URL', type: 'url' },
};

/** Where the sandbox's redemption and barcode links point: a reserved name (RFC 2606), never a real site. */
const SANDBOX_HOST = 'https://rewards.sandbox.example';

/** `count` decimal digits derived from the order and the credential type. */
function digits(referenceOrderId: string, credentialType: string, count: number): string {
  let out = '';
  for (let round = 0; out.length < count; round++) {
    const hash = createHash('sha256').update(`tessera-sandbox-reward\0${referenceOrderId}\0${credentialType}\0${round}`).digest();
    for (const byte of hash) if (byte < 250) out += String(byte % 10);
  }
  return out.slice(0, count);
}

/** Letters and digits without the look-alikes (0/O, 1/I), as printed codes use. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function code(referenceOrderId: string, credentialType: string, groups: number[]): string {
  const hash = createHash('sha256').update(`tessera-sandbox-reward\0${referenceOrderId}\0${credentialType}`).digest();
  let i = 0;
  return groups.map((length) => Array.from({ length }, () => CODE_ALPHABET[hash[i++]! % CODE_ALPHABET.length]).join('')).join('-');
}

function valueOf(referenceOrderId: string, credentialType: string, createdAt: number): string {
  switch (credentialType) {
    case 'cardNumber':
      return digits(referenceOrderId, credentialType, 16);
    case 'pin':
      return digits(referenceOrderId, credentialType, 4);
    case 'cvc2':
      return digits(referenceOrderId, credentialType, 3);
    case 'claimCode':
      return code(referenceOrderId, credentialType, [4, 6, 4]);
    case 'cardCode':
      return code(referenceOrderId, credentialType, [16]);
    case 'expirationDate': {
      // Five years from the order, the month's last day: as prepaid cards print it.
      const created = new Date(createdAt);
      return new Date(Date.UTC(created.getUTCFullYear() + 5, created.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    }
    case 'redemptionUrl':
      return `${SANDBOX_HOST}/redeem/${code(referenceOrderId, credentialType, [20])}`;
    case 'barcodeUrl':
      return `${SANDBOX_HOST}/barcodes/${digits(referenceOrderId, credentialType, 16)}.png`;
    default:
      return code(referenceOrderId, credentialType, [12]);
  }
}

/** The reward's credentials for the order, in the order of the item's credential types. */
export function rewardCredentials(referenceOrderId: string, credentialTypes: readonly string[], createdAt: number): RewardCredential[] {
  return credentialTypes.map((credentialType) => ({
    label: LABELS[credentialType]?.label ?? credentialType,
    value: valueOf(referenceOrderId, credentialType, createdAt),
    type: LABELS[credentialType]?.type ?? 'text',
    credentialType,
  }));
}
