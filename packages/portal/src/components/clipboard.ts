/** Whether the asynchronous Clipboard API is there to try (an insecure origin or an old browser has none). */
export function clipboardAvailable(): boolean {
  const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
  return !!clipboard && typeof clipboard.writeText === 'function';
}

/**
 * Copies `text` with the asynchronous Clipboard API. False when the API is missing (an insecure
 * origin, an old browser) or refuses: the caller then selects the text and asks for Ctrl+C.
 */
export async function copyText(text: string): Promise<boolean> {
  if (!clipboardAvailable()) return false;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Selects the text of `element`, for the person to copy by hand. */
export function selectText(element: HTMLElement): void {
  const selection = window.getSelection();
  if (!selection) return;
  const range = document.createRange();
  range.selectNodeContents(element);
  selection.removeAllRanges();
  selection.addRange(range);
}
